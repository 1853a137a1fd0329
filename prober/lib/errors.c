/* errors -- strings for NSP_E* codes. */
#include "lib/errors.h"

#include <stdio.h>
#include <string.h>

const char *nsp_strerror(int code)
{
	switch ((enum nsp_error)code) {
	case NSP_EOK:        return "ok";
	case NSP_ENOMEM:     return "out of memory";
	case NSP_EINVAL:     return "invalid argument";
	case NSP_ENOSPC:     return "no space left in buffer";
	case NSP_ERANGE:     return "value out of range";
	case NSP_ENOENT:     return "not found";
	case NSP_EAGAIN:     return "try again";
	case NSP_EMALFORMED: return "malformed data";
	case NSP_ECONFIG:    return "invalid configuration";
	case NSP_ESYSTEM:    return "system call failed";
	case NSP_ELIB:       return "library call failed";
	}
	return "unknown error";
}

const char *nsp_errno_text(int e, char *out, size_t outlen)
{
	if (outlen == 0)
		return out;
	snprintf(out, outlen, "%s", strerror(e));
	if (out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char)(out[0] - 'A' + 'a');
	return out;
}
