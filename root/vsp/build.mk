# storvsp: the synthetic SCSI controller (VSTOR protocol, storvsp.c) and
# the disk behind each LUN (scsi.c), both pure: unit tests test_scsi and
# test_storvsp, fuzz targets fuzz_scsi and fuzz_storvsp.
UNIT_HOSTED += scsi storvsp
UNIT_SRCS_scsi := root/vsp/scsi.c
UNIT_SRCS_storvsp := root/vsp/storvsp.c root/vsp/scsi.c

# netvsp: the synthetic NIC (NVSP, netvsp.c) and its RNDIS device
# (rndis.c), both pure: unit tests test_rndis and test_netvsp, fuzz targets
# fuzz_rndis and fuzz_netvsp.
UNIT_HOSTED += rndis netvsp
UNIT_SRCS_rndis := root/vsp/rndis.c
UNIT_SRCS_netvsp := root/vsp/netvsp.c root/vsp/rndis.c
