#include "qmp/schema.h"

#include <string.h>

const struct qmp_command *qmp_command_find(const struct qmp_command *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const char *qmp_type_name(const struct qmp_member *m)
{
	switch (m->type) {
	case QMP_T_STR: return "str";
	case QMP_T_INT: return "int";
	case QMP_T_UINT64: return "uint64";
	case QMP_T_BOOL: return "bool";
	case QMP_T_NUMBER: return "number";
	case QMP_T_ANY: return "any";
	case QMP_T_ENUM:
	case QMP_T_OBJECT:
		break;
	}
	return m->type_name ? m->type_name : "object";
}
