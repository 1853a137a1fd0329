/* errors -- nsprobe's own failure codes (a failed probe is data, not an error). */
#pragma once

#include <errno.h>
#include <stddef.h>

/* 0 is success; failures are negative. Where errno has a name for it we use it. */
enum nsp_error {
	NSP_EOK        = 0,
	NSP_ENOMEM     = -ENOMEM,   /* out of memory */
	NSP_EINVAL     = -EINVAL,   /* invalid argument or input */
	NSP_ENOSPC     = -ENOSPC,   /* output buffer too small */
	NSP_ERANGE     = -ERANGE,   /* value out of range */
	NSP_ENOENT     = -ENOENT,   /* no such thing (module, file, name) */
	NSP_EAGAIN     = -EAGAIN,   /* try again later */
	NSP_EMALFORMED = -1000,     /* malformed data from the network */
	NSP_ECONFIG    = -1001,     /* config file rejected */
	NSP_ESYSTEM    = -1002,     /* a system call failed (see errno) */
	NSP_ELIB       = -1003,     /* an outside library failed */
};

/* Returns a static, lowercase description of an NSP_E* code. */
const char *nsp_strerror(int code);

/* Writes errno e's text as Go's syscall.Errno prints it (strerror, first letter lowercase:
 * "connection refused", "no such file or directory") into out[0..outlen); returns out. */
const char *nsp_errno_text(int e, char *out, size_t outlen);
