/* fuzz_wire -- libFuzzer target: one DNS message, read as the probe reads an answer (handle_answer in
 * probe.c): wire_parse, then rrtext_check and rrtext_rr over every RR it parsed (also those before a
 * structural fault), then the whole message as text (rrtext_msg).
 *
 * Input: the message bytes (as they come off the socket). Checked beyond "no crash, no leak": an RR
 * whose rdata rrtext_check accepts must also print, since the probe prints every RR it accepted. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "lib/errors.h"
#include "dns/rrtext.h"
#include "dns/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = wire_rr_capacity(size);
	wire_rr_t *rrs = calloc(cap, sizeof(*rrs));
	buf_t text = BUF_INIT;
	if (!rrs)
		goto done;
	wire_msg_t m;
	int rc = wire_parse(data, size, rrs, cap, &m);
	if (rc != 0 && rc != NSP_EMALFORMED)
		goto done;
	size_t total = m.count[WIRE_ANSWER] + m.count[WIRE_AUTHORITY] + m.count[WIRE_ADDITIONAL];
	for (size_t i = 0; i < total; i++) {
		const char *why = NULL;
		int checked = rrtext_check(&m, &rrs[i], &why);
		buf_reset(&text);
		int printed = rrtext_rr(&m, &rrs[i], &text);
		if (checked == 0 && printed == NSP_EMALFORMED)
			abort();   /* the probe would accept an RR that it then cannot show to the regexes */
	}
	if (rc == 0) {
		buf_reset(&text);
		rrtext_msg(&m, &text);
		if (m.qdcount > 0) {
			buf_reset(&text);
			rrtext_name(&m, m.question, &text);
		}
	}
done:
	buf_free(&text);
	free(rrs);
	return 0;
}
