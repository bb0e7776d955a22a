/* What the rest of arch/x86 sees of the SVM backend. */
#ifndef SEPTUM_SVM_H
#define SEPTUM_SVM_H

#include "arch.h"

extern const struct arch_ops svm_ops;
extern const struct gpa_map_ops npt_ops;

int svm_probe(char *why, size_t len);
const char *svm_exit_name(u64 code);

#endif
