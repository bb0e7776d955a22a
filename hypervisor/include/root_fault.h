#ifndef SEPTUM_ROOT_FAULT_H
#define SEPTUM_ROOT_FAULT_H

#include "partition.h"

int root_fault_init(void);
/* The root faulted on gpa in its GPA map; it resumes at the same access. */
void root_fault(struct partition *root, u64 gpa, bool write);

#endif
