/* hex -- hexadecimal digits: their values, for every reader of hex text (URL escapes, DS digests). */
#pragma once

/* The value 0..15 of the hex digit c (either case), or -1. */
static inline int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
