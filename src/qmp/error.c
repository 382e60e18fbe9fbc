#include "qmp/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const class_names[] = {
	[QMP_ERR_GENERIC] = "GenericError",
	[QMP_ERR_COMMAND_NOT_FOUND] = "CommandNotFound",
	[QMP_ERR_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
	[QMP_ERR_DEVICE_NOT_FOUND] = "DeviceNotFound",
	[QMP_ERR_KVM_MISSING_CAP] = "KVMMissingCap",
};

const char *qmp_error_class_name(enum qmp_error_class cls)
{
	return (unsigned)cls < sizeof(class_names) / sizeof(class_names[0]) ? class_names[cls] : "GenericError";
}

void qmp_error_setv(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, va_list ap)
{
	if (err->set)
		return;
	err->set = true;
	err->cls = cls;
	if (vasprintf(&err->desc, fmt, ap) < 0)
		err->desc = NULL;
}

void qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qmp_error_setv(err, cls, fmt, ap);
	va_end(ap);
}

void qmp_error_clear(struct qmp_error *err)
{
	free(err->desc);
	err->desc = NULL;
	err->set = false;
}
