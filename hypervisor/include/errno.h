/* Internal error codes (negative returns). Hypercalls map them to HV_STATUS_*. */
#ifndef SEPTUM_ERRNO_H
#define SEPTUM_ERRNO_H

#define ENOENT	2
#define ENOMEM	12
#define EBUSY	16
#define EEXIST	17
#define EINVAL	22
#define ERANGE	34

#endif
