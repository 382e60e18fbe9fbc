/* QMP errors: {"error": {"class", "desc"}} with QEMU's error classes. Pure. */
#ifndef VMRAS_QMP_ERROR_H
#define VMRAS_QMP_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

/* QEMU's QapiErrorClass; clients switch on these names. */
enum qmp_error_class {
	QMP_ERR_GENERIC,            /* GenericError */
	QMP_ERR_COMMAND_NOT_FOUND,  /* CommandNotFound */
	QMP_ERR_DEVICE_NOT_ACTIVE,  /* DeviceNotActive */
	QMP_ERR_DEVICE_NOT_FOUND,   /* DeviceNotFound */
	QMP_ERR_KVM_MISSING_CAP,    /* KVMMissingCap */
};

struct qmp_error {
	bool set;
	enum qmp_error_class cls;
	char *desc;                 /* malloc'd; NULL when out of memory */
};

const char *qmp_error_class_name(enum qmp_error_class cls);

/* Sets err unless it is already set (the first error is the one reported). */
__attribute__((format(printf, 3, 4)))
void qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void qmp_error_setv(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, va_list ap);
void qmp_error_clear(struct qmp_error *err);

#endif
