/* testtime -- how unit tests bound the work of hostile input: CPU time, scaled for sanitizers.
 *
 * A bound on wall time fails whenever another test loads the shared two-core box; a bound on the
 * CPU time of the code under test fails only when that code does too much work. Sanitizer builds
 * (ASan+UBSan, Debug) run the same work several times slower, so their bounds are scaled. */
#pragma once

#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define TESTTIME_SCALE 5.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TESTTIME_SCALE 5.0
#endif
#endif
#ifndef TESTTIME_SCALE
#define TESTTIME_SCALE 1.0
#endif

/* CPU seconds used by this thread so far. */
static inline double testtime_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
