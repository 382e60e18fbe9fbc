/* vmras's own messages go to stderr, one line each, prefixed "vmras: ". */
#ifndef VMRAS_VMM_LOG_H
#define VMRAS_VMM_LOG_H

__attribute__((format(printf, 1, 2))) void log_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);

#endif
