/*
 * The VM's synthetic SCSI controller (root/vsp/storvsp.h) with its disks:
 * raw image files, read and written by each channel's thread through
 * io_uring straight into and out of guest memory.
 */
#ifndef SEPTUM_VMWP_VSP_STORAGE_H
#define SEPTUM_VMWP_VSP_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

/* --disk PATH[,ro]: the next LUN. 0, or -1 with a message in err. */
int vsp_storage_add_disk(const char *spec, char *err, size_t errlen);
/* Registers the controller with vmbus_host if it has a disk. */
int vsp_storage_start(unsigned nr_vps);
/* Appends the disks' counters to out as a JSON array. */
void vsp_storage_stats(char *out, size_t len);

#endif
