/* denial -- the NSEC and NSEC3 proofs of a name error, no data and a wildcard expansion.
 *
 * The proofs, as RFC 4035 5.4 / 3.1.3, RFC 5155 8 and RFC 7129 give them:
 *   - NSEC: a record matches a name when its owner is the name; it covers a name when the name sorts
 *     strictly between owner and next (the last record wraps to the apex). A covering record whose
 *     next name is below the name shows the name is an empty non-terminal, so it does not cover.
 *     The closest encloser is the longer of the name's common ancestors with owner and next
 *     (RFC 7129 5.5); the wildcard is *.<closest encloser>.
 *   - NSEC3: the closest encloser proof (RFC 5155 8.3) hashes the name, then each ancestor up to
 *     the apex, until a hash matches; the name one label longer (the next closer name) must be
 *     covered. Each hash is computed once per check (a small table by label count) and charged to
 *     the budget first.
 * The zone-cut rules of RFC 6840 4.1 and 4.4 and RFC 5155 8.3 keep a parent's delegation record
 * (NS without SOA) or a DNAME from proving anything below it, and a child's apex record (SOA) from
 * denying the DS, which lives in the parent.
 *
 * Every read of record data goes through a cursor bounded by the record's rdata. Names are copied
 * into a dname_t (wire labels plus label offsets) and compared there. */
#include "dns/denial.h"

#include <string.h>

#include "dns/base32.h"
#include "dns/cursor.h"
#include "dns/dnstab.h"
#include "dns/rrtext.h"
#include "lib/errors.h"

enum {
	TYPE_NS = 2, TYPE_CNAME = 5, TYPE_SOA = 6, TYPE_DS = 43, TYPE_NSEC = 47, TYPE_NSEC3 = 50,
	TYPE_DNAME = 39,
	NSEC3_SHA1 = 1,
	NSEC3_OPT_OUT = 0x01,
	HASH_LEN = 20,
	MAX_LABELS = 128,
};

/* ------------------------------------------------------------------------------------------------
 * Names: wire labels and where each label starts */

typedef struct dname {
	uint8_t w[CURSOR_MAX_NAME];
	size_t len;
	uint8_t off[MAX_LABELS];   /* offset of each label's length octet, leftmost first */
	size_t n;                  /* labels, the root not counted */
} dname_t;

/* Copies and indexes the uncompressed name w[0..len). False if it is not exactly one name. */
static bool dname_set(dname_t *d, const uint8_t *w, size_t len)
{
	if (len == 0 || len > CURSOR_MAX_NAME)
		return false;
	cursor_t c = cursor_make(w, len);
	d->n = 0;
	for (;;) {
		size_t at = c.off;
		uint8_t l = cursor_u8(&c);
		if (!cursor_ok(&c) || l > 63)
			return false;
		if (l == 0)
			break;
		if (d->n >= MAX_LABELS || cursor_bytes(&c, l) == NULL)
			return false;
		d->off[d->n++] = (uint8_t)at;
	}
	if (!cursor_at_end(&c))
		return false;
	memcpy(d->w, w, len);
	d->len = len;
	return true;
}

/* The label i counted from the right (1 = the label just below the root). */
static const uint8_t *dname_label(const dname_t *d, size_t i, size_t *l)
{
	const uint8_t *p = d->w + d->off[d->n - i];
	*l = p[0];
	return p + 1;
}

static uint8_t lower(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
}

static int label_cmp(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
	size_t m = la < lb ? la : lb;
	for (size_t i = 0; i < m; i++) {
		uint8_t x = lower(a[i]), y = lower(b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return la == lb ? 0 : (la < lb ? -1 : 1);
}

/* Canonical order (RFC 4034 6.1): label by label from the right, each as lowercased octets. */
static int dname_cmp(const dname_t *a, const dname_t *b)
{
	size_t m = a->n < b->n ? a->n : b->n;
	for (size_t i = 1; i <= m; i++) {
		size_t la, lb;
		const uint8_t *pa = dname_label(a, i, &la), *pb = dname_label(b, i, &lb);
		int r = label_cmp(pa, la, pb, lb);
		if (r != 0)
			return r;
	}
	return a->n == b->n ? 0 : (a->n < b->n ? -1 : 1);
}

/* Labels a and b share from the right. */
static size_t dname_common(const dname_t *a, const dname_t *b)
{
	size_t m = a->n < b->n ? a->n : b->n, i = 1;
	for (; i <= m; i++) {
		size_t la, lb;
		const uint8_t *pa = dname_label(a, i, &la), *pb = dname_label(b, i, &lb);
		if (label_cmp(pa, la, pb, lb) != 0)
			break;
	}
	return i - 1;
}

static bool dname_eq(const dname_t *a, const dname_t *b)
{
	return a->n == b->n && dname_common(a, b) == a->n;
}

/* a is b or below it. */
static bool dname_under(const dname_t *a, const dname_t *b)
{
	return a->n >= b->n && dname_common(a, b) == b->n;
}

/* a is strictly below b. */
static bool dname_below(const dname_t *a, const dname_t *b)
{
	return a->n > b->n && dname_common(a, b) == b->n;
}

/* The last k labels of d (k <= d->n): a suffix of a name that indexed, so it indexes too (out is
 * the empty name if it somehow did not, never left unset). */
static void dname_tail(const dname_t *d, size_t k, dname_t *out)
{
	size_t from = k == d->n ? 0 : (k == 0 ? d->len - 1 : d->off[d->n - k]);
	if (!dname_set(out, d->w + from, d->len - from))
		(void)dname_set(out, (const uint8_t *)"", 1);
}

/* *.<ce>; false if it would be too long. */
static bool dname_wildcard(const dname_t *ce, dname_t *out)
{
	uint8_t w[CURSOR_MAX_NAME];
	if (ce->len + 2 > CURSOR_MAX_NAME)
		return false;
	w[0] = 1;
	w[1] = '*';
	memcpy(w + 2, ce->w, ce->len);
	return dname_set(out, w, ce->len + 2);
}

static bool dname_is_wildcard(const dname_t *d)
{
	return d->n > 0 && d->w[0] == 1 && d->w[1] == '*';
}

/* A name in presentation form, as rrtext prints one: \. \\ and \DDD escapes. */
static void name_put(buf_t *out, const dname_t *d)
{
	if (d->n == 0) {
		buf_putc(out, '.');
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const uint8_t *p = d->w + d->off[i];
		for (size_t k = 1; k <= p[0]; k++) {
			uint8_t ch = p[k];
			if (ch == '.' || ch == '\\' || ch == '"' || ch == '(' || ch == ')' || ch == ';' ||
			    ch == '@' || ch == '$')
				buf_printf(out, "\\%c", ch);
			else if (ch > 0x20 && ch < 0x7f)
				buf_putc(out, (char)ch);
			else
				buf_printf(out, "\\%03u", ch);
		}
		buf_putc(out, '.');
	}
}

/* ------------------------------------------------------------------------------------------------
 * Type bitmaps (RFC 4034 4.1.2) */

typedef struct bits {
	bool q, ns, soa, ds, cname, dname;
} bits_t;

static bool bitmap_has(uint8_t win, const uint8_t *map, size_t len, uint16_t type)
{
	size_t byte = (type & 0xff) >> 3;
	return (type >> 8) == win && byte < len && (map[byte] & (0x80 >> (type & 7))) != 0;
}

/* Reads the bitmap from c's position to its end into *b (qtype's bit into b->q). False if the
 * windows are out of order, repeated, or of a length outside 1..32. */
static bool bitmap_scan(cursor_t *c, uint16_t qtype, bits_t *b)
{
	*b = (bits_t){0};
	int prev = -1;
	while (cursor_ok(c) && !cursor_at_end(c)) {
		uint8_t win = cursor_u8(c), len = cursor_u8(c);
		if (!cursor_ok(c) || len < 1 || len > 32 || (int)win <= prev)
			return false;
		const uint8_t *map = cursor_bytes(c, len);
		if (map == NULL)
			return false;
		prev = win;
		b->q |= bitmap_has(win, map, len, qtype);
		b->ns |= bitmap_has(win, map, len, TYPE_NS);
		b->soa |= bitmap_has(win, map, len, TYPE_SOA);
		b->ds |= bitmap_has(win, map, len, TYPE_DS);
		b->cname |= bitmap_has(win, map, len, TYPE_CNAME);
		b->dname |= bitmap_has(win, map, len, TYPE_DNAME);
	}
	return cursor_ok(c);
}

/* ------------------------------------------------------------------------------------------------
 * The records */

typedef struct rec {
	int idx;                   /* index in the authority section */
	dname_t owner;
	dname_t next;              /* NSEC */
	uint8_t flags;             /* NSEC3 */
	uint16_t iterations;
	uint8_t salt_len;
	const uint8_t *salt;
	uint8_t owner_hash[HASH_LEN];
	uint8_t next_hash[HASH_LEN];
	size_t bitmap, end;        /* the type bitmap: msg offsets [bitmap, end) */
} rec_t;

typedef struct ctx {
	const wire_msg_t *msg;
	const denial_query_t *q;
	const wire_rr_t *rrs;
	size_t n_rrs;
	dname_t name, apex;
	dnssec_budget_t *budget;
	denial_result_t *out;
	bool have_params;          /* the zone's NSEC3 parameters, from the first usable NSEC3 */
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
	struct {
		bool done;
		uint8_t h[HASH_LEN];
	} cache[MAX_LABELS + 1][2];   /* [labels of the name's suffix][wildcard] */
} ctx_t;

enum { REC_SKIP = 0, REC_OK = 1, REC_BAD = -1 };

/* Reads authority RR i as a record of `type` of the zone into *r. REC_OK, REC_SKIP (another type,
 * class or zone, an NSEC3 this room cannot use) or REC_BAD (its rdata does not read); a negative
 * NSP_E* if the owner name does not read. */
static int rec_read(ctx_t *x, size_t i, uint16_t type, rec_t *r)
{
	const wire_rr_t *rr = &x->rrs[i];
	if (rr->type != type || rr->rclass != x->q->qclass)
		return REC_SKIP;
	uint8_t w[CURSOR_MAX_NAME];
	int len = wire_name_read(x->msg, rr->owner, w, NULL);
	if (len < 0)
		return len;
	r->idx = (int)i;
	if (!dname_set(&r->owner, w, (size_t)len))
		return NSP_EMALFORMED;
	if (!dname_under(&r->owner, &x->apex))
		return REC_SKIP;
	size_t end = (size_t)rr->rdata + rr->rdlen;
	cursor_t c = cursor_at(x->msg->buf, end, rr->rdata);
	if (type == TYPE_NSEC) {
		size_t nl = cursor_name(&c, w);
		if (nl == 0 || !dname_set(&r->next, w, nl))
			return REC_BAD;
		if (!dname_under(&r->next, &x->apex))
			return REC_SKIP;
	} else {
		uint8_t alg = cursor_u8(&c);
		r->flags = cursor_u8(&c);
		r->iterations = cursor_u16(&c);
		r->salt_len = cursor_u8(&c);
		r->salt = cursor_bytes(&c, r->salt_len);
		uint8_t hlen = cursor_u8(&c);
		const uint8_t *h = cursor_bytes(&c, hlen);
		if (!cursor_ok(&c))
			return REC_BAD;
		/* RFC 5155 8.1: unknown hash algorithms; 8.2: flags other than Opt-Out */
		if (alg != NSEC3_SHA1 || (r->flags & ~NSEC3_OPT_OUT) != 0)
			return REC_SKIP;
		if (r->owner.n != x->apex.n + 1)
			return REC_SKIP;   /* a hashed name of a zone below (RFC 5155 7.1: one label) */
		if (hlen != HASH_LEN)
			return REC_BAD;
		memcpy(r->next_hash, h, HASH_LEN);
		if (!base32hex_decode(r->owner.w + 1, r->owner.w[0], r->owner_hash, HASH_LEN))
			return REC_BAD;
		if (x->have_params && (r->iterations != x->iterations || r->salt_len != x->salt_len ||
		                       memcmp(r->salt, x->salt, r->salt_len) != 0))
			return REC_SKIP;
	}
	r->bitmap = c.off;
	r->end = end;
	bits_t b;
	if (!bitmap_scan(&c, 0, &b))
		return REC_BAD;
	return REC_OK;
}

static bits_t rec_bits(const ctx_t *x, const rec_t *r, uint16_t qtype)
{
	bits_t b;
	cursor_t c = cursor_at(x->msg->buf, r->end, r->bitmap);
	(void)bitmap_scan(&c, qtype, &b);   /* read once already by rec_read */
	return b;
}

/* ------------------------------------------------------------------------------------------------
 * Setting the verdict */

static void set_subject(ctx_t *x, const dname_t *d, const uint8_t *hash)
{
	memcpy(x->out->subject, d->w, d->len);
	x->out->subject_len = d->len;
	x->out->subject_hashed = hash != NULL;
	if (hash)
		memcpy(x->out->subject_hash, hash, HASH_LEN);
}

/* Sets the reason, with the subject (may be NULL: unchanged) and the record (may be NULL). */
static void verdict(ctx_t *x, denial_reason_t reason, const dname_t *subject, const uint8_t *hash,
                    const rec_t *r)
{
	x->out->reason = reason;
	if (subject)
		set_subject(x, subject, hash);
	x->out->rr = r ? r->idx : -1;
}

static void set_encloser(ctx_t *x, const dname_t *ce)
{
	memcpy(x->out->encloser, ce->w, ce->len);
	x->out->encloser_len = ce->len;
}

/* ------------------------------------------------------------------------------------------------
 * NSEC */

/* Finds the record for which pred(x, r, n) holds; returns true with *r filled. */
typedef bool (*rec_pred_t)(const ctx_t *x, const rec_t *r, const dname_t *n);

static bool find(ctx_t *x, uint16_t type, rec_pred_t pred, const dname_t *n, rec_t *r)
{
	for (size_t i = 0; i < x->n_rrs; i++)
		if (rec_read(x, i, type, r) == REC_OK && pred(x, r, n))
			return true;
	return false;
}

static bool nsec_matches(const ctx_t *x, const rec_t *r, const dname_t *n)
{
	(void)x;
	return dname_eq(&r->owner, n);
}

/* Sorts strictly between owner and next, the last record wrapping round to the apex. */
static bool nsec_between(const rec_t *r, const dname_t *n)
{
	if (dname_cmp(&r->owner, n) >= 0)
		return false;
	return dname_cmp(n, &r->next) < 0 || dname_cmp(&r->next, &r->owner) <= 0;
}

/* n is an empty non-terminal: an NSEC sorts before it and its next name is below it
 * (RFC 7129 3). */
static bool nsec_shows_ent(const ctx_t *x, const rec_t *r, const dname_t *n)
{
	(void)x;
	return nsec_between(r, n) && dname_below(&r->next, n);
}

/* The owner is a delegation or DNAME above n: it proves nothing below it (RFC 6840 4.1). */
static bool nsec_cut_above(const ctx_t *x, const rec_t *r, const dname_t *n)
{
	if (!dname_below(n, &r->owner))
		return false;
	bits_t b = rec_bits(x, r, 0);
	return b.dname || (b.ns && !b.soa);
}

static bool nsec_covers(const ctx_t *x, const rec_t *r, const dname_t *n)
{
	return nsec_between(r, n) && !dname_below(&r->next, n) && !nsec_cut_above(x, r, n);
}

static bool nsec_covers_cut(const ctx_t *x, const rec_t *r, const dname_t *n)
{
	return nsec_between(r, n) && nsec_cut_above(x, r, n);
}

/* The closest encloser a covering NSEC shows for n (RFC 7129 5.5). */
static void nsec_encloser(const rec_t *r, const dname_t *n, dname_t *ce)
{
	size_t a = dname_common(n, &r->owner), b = dname_common(n, &r->next);
	dname_tail(n, a > b ? a : b, ce);
}

/* The bitmap verdict of a matching record at n for qtype (RFC 4035 5.4, RFC 6840 4.4). */
static denial_reason_t bitmap_verdict(const ctx_t *x, const rec_t *r, const dname_t *n,
                                      uint16_t qtype)
{
	bits_t b = rec_bits(x, r, qtype);
	if (qtype == TYPE_DS) {
		if (b.soa && n->n > 0)
			return DENIAL_ZONE_CUT;   /* the child's apex: the DS lives in the parent */
	} else if (b.ns && !b.soa) {
		return DENIAL_ZONE_CUT;           /* the parent's record of a delegation */
	}
	if (b.q)
		return DENIAL_TYPE_PRESENT;
	if (b.cname)
		return DENIAL_CNAME_PRESENT;
	return DENIAL_OK;
}

/* Finds the NSEC covering n; sets the verdict (NOT_COVERED or ZONE_CUT, with `fail`) if none. */
static bool nsec_cover(ctx_t *x, const dname_t *n, rec_t *r, denial_reason_t fail)
{
	if (find(x, TYPE_NSEC, nsec_covers, n, r))
		return true;
	if (find(x, TYPE_NSEC, nsec_covers_cut, n, r))
		verdict(x, DENIAL_ZONE_CUT, n, NULL, r);
	else
		verdict(x, fail, n, NULL, NULL);
	return false;
}

/* The name exists: an NSEC matches it or shows it is an empty non-terminal. */
static bool nsec_exists(ctx_t *x, const dname_t *n, rec_t *r)
{
	return find(x, TYPE_NSEC, nsec_matches, n, r) || find(x, TYPE_NSEC, nsec_shows_ent, n, r);
}

static void nsec_nxdomain(ctx_t *x)
{
	rec_t r;
	dname_t ce, wild;
	if (nsec_exists(x, &x->name, &r))
		return verdict(x, DENIAL_NAME_EXISTS, &x->name, NULL, &r);
	if (!nsec_cover(x, &x->name, &r, DENIAL_NOT_COVERED))
		return;
	nsec_encloser(&r, &x->name, &ce);
	set_encloser(x, &ce);
	if (!dname_wildcard(&ce, &wild))
		return verdict(x, DENIAL_WILDCARD_NOT_DENIED, &ce, NULL, NULL);
	if (nsec_exists(x, &wild, &r))
		return verdict(x, DENIAL_WILDCARD_NOT_DENIED, &wild, NULL, &r);
	if (!nsec_cover(x, &wild, &r, DENIAL_WILDCARD_NOT_DENIED))
		return;
	verdict(x, DENIAL_OK, NULL, NULL, &r);
}

static void nsec_nodata(ctx_t *x)
{
	rec_t r;
	dname_t ce, wild;
	if (find(x, TYPE_NSEC, nsec_matches, &x->name, &r))
		return verdict(x, bitmap_verdict(x, &r, &x->name, x->q->qtype), &x->name, NULL, &r);
	if (find(x, TYPE_NSEC, nsec_shows_ent, &x->name, &r))
		return verdict(x, DENIAL_OK, &x->name, NULL, &r);
	/* wildcard no data (RFC 4035 3.1.3.4): the name is covered and *.<closest encloser> matches */
	if (!nsec_cover(x, &x->name, &r, DENIAL_NO_MATCH))
		return;
	nsec_encloser(&r, &x->name, &ce);
	set_encloser(x, &ce);
	if (!dname_wildcard(&ce, &wild) || !find(x, TYPE_NSEC, nsec_matches, &wild, &r))
		return verdict(x, DENIAL_NO_MATCH, &x->name, NULL, NULL);
	verdict(x, bitmap_verdict(x, &r, &wild, x->q->qtype), &wild, NULL, &r);
}

/* The wildcard's closest encloser from the labels field: false (and the verdict) if it leaves
 * nothing expanded or lies above the apex, or if the name is the wildcard itself (unexpanded:
 * OK). */
static bool wildcard_labels(ctx_t *x)
{
	size_t l = x->q->labels;
	if (dname_is_wildcard(&x->name) && l + 1 == x->name.n) {
		verdict(x, DENIAL_OK, NULL, NULL, NULL);
		return false;
	}
	if (l >= x->name.n || l < x->apex.n) {
		verdict(x, DENIAL_WILDCARD_ENCLOSER, &x->name, NULL, NULL);
		return false;
	}
	dname_t ce;
	dname_tail(&x->name, l, &ce);
	set_encloser(x, &ce);
	return true;
}

static void nsec_wildcard(ctx_t *x)
{
	rec_t r;
	dname_t ce;
	size_t l = x->q->labels;
	if (nsec_exists(x, &x->name, &r))
		return verdict(x, DENIAL_NAME_EXISTS, &x->name, NULL, &r);
	if (!nsec_cover(x, &x->name, &r, DENIAL_WILDCARD_NO_PROOF))
		return;
	nsec_encloser(&r, &x->name, &ce);
	if (ce.n != l)
		return verdict(x, DENIAL_WILDCARD_ENCLOSER, &x->name, NULL, &r);
	verdict(x, DENIAL_OK, NULL, NULL, &r);
}

/* ------------------------------------------------------------------------------------------------
 * NSEC3 */

/* The hash of the name's last k labels (with `wild`, of *.<them>) into h. False when the budget
 * refuses (the verdict is then set). */
static bool n3_hash(ctx_t *x, size_t k, bool wild, uint8_t h[HASH_LEN])
{
	if (x->cache[k][wild].done) {
		memcpy(h, x->cache[k][wild].h, HASH_LEN);
		return true;
	}
	dname_t d, w;
	dname_tail(&x->name, k, &d);
	if (wild && !dname_wildcard(&d, &w))
		return false;
	const dname_t *n = wild ? &w : &d;
	int rc = dnssec_nsec3_hash(n->w, n->len, x->salt, x->salt_len, x->iterations, x->budget, h);
	if (rc < 0) {
		x->out->limit = x->budget->spent;
		verdict(x, DENIAL_WORK_LIMIT, n, NULL, NULL);
		return false;
	}
	x->out->hashes++;
	x->cache[k][wild].done = true;
	memcpy(x->cache[k][wild].h, h, HASH_LEN);
	return true;
}

typedef bool (*n3_pred_t)(const rec_t *r, const uint8_t *h);

static bool n3_matches(const rec_t *r, const uint8_t *h)
{
	return memcmp(r->owner_hash, h, HASH_LEN) == 0;
}

/* owner < h < next, the last record wrapping round to the first (RFC 5155 8.3). */
static bool n3_covers(const rec_t *r, const uint8_t *h)
{
	int a = memcmp(r->owner_hash, h, HASH_LEN), b = memcmp(h, r->next_hash, HASH_LEN);
	if (memcmp(r->owner_hash, r->next_hash, HASH_LEN) < 0)
		return a < 0 && b < 0;
	return a < 0 || b < 0;
}

static bool n3_find(ctx_t *x, n3_pred_t pred, const uint8_t *h, rec_t *r)
{
	for (size_t i = 0; i < x->n_rrs; i++)
		if (rec_read(x, i, TYPE_NSEC3, r) == REC_OK && pred(r, h))
			return true;
	return false;
}

/* The closest encloser proof of RFC 5155 8.3 for the name. Returns true with *ce_labels set; when
 * the name itself matches, *ce_labels is the name's label count, *nc is not set and *r is the
 * matching record; otherwise *nc is the record covering the next closer name. False with the
 * verdict set when there is no proof. */
static bool n3_encloser(ctx_t *x, size_t *ce_labels, rec_t *r, rec_t *nc)
{
	uint8_t h[HASH_LEN];
	size_t k = x->name.n;
	for (;; k--) {
		if (!n3_hash(x, k, false, h))
			return false;
		if (n3_find(x, n3_matches, h, r))
			break;
		if (k == x->apex.n) {
			verdict(x, DENIAL_NO_CLOSEST_ENCLOSER, &x->name, NULL, NULL);
			return false;
		}
	}
	dname_t ce;
	dname_tail(&x->name, k, &ce);
	*ce_labels = k;
	if (k < x->name.n) {
		bits_t b = rec_bits(x, r, 0);
		if (b.dname || (b.ns && !b.soa)) {
			verdict(x, DENIAL_ZONE_CUT, &ce, h, r);
			return false;
		}
		set_encloser(x, &ce);
		dname_t next;
		dname_tail(&x->name, k + 1, &next);
		if (!n3_hash(x, k + 1, false, h))
			return false;
		if (!n3_find(x, n3_covers, h, nc)) {
			verdict(x, DENIAL_NEXT_CLOSER, &next, h, NULL);
			return false;
		}
	} else {
		set_encloser(x, &ce);
	}
	return true;
}

static void n3_nxdomain(ctx_t *x)
{
	rec_t r, nc;
	size_t k;
	uint8_t h[HASH_LEN];
	if (!n3_encloser(x, &k, &r, &nc))
		return;
	if (k == x->name.n) {
		n3_hash(x, k, false, h);
		return verdict(x, DENIAL_NAME_EXISTS, &x->name, h, &r);
	}
	dname_t ce, wild;
	dname_tail(&x->name, k, &ce);
	if (!dname_wildcard(&ce, &wild))
		return verdict(x, DENIAL_WILDCARD_NOT_DENIED, &ce, NULL, NULL);
	if (!n3_hash(x, k, true, h))
		return;
	if (n3_find(x, n3_matches, h, &r))
		return verdict(x, DENIAL_WILDCARD_NOT_DENIED, &wild, h, &r);
	if (!n3_find(x, n3_covers, h, &r))
		return verdict(x, DENIAL_WILDCARD_NOT_DENIED, &wild, h, NULL);
	if (nc.flags & NSEC3_OPT_OUT)
		return verdict(x, DENIAL_OPT_OUT, NULL, NULL, &nc);
	verdict(x, DENIAL_OK, NULL, NULL, &r);
}

static void n3_nodata(ctx_t *x)
{
	rec_t r, nc;
	size_t k;
	uint8_t h[HASH_LEN];
	uint16_t qtype = x->q->qtype;
	if (!n3_hash(x, x->name.n, false, h))
		return;
	/* RFC 5155 8.5 and 8.6: a matching NSEC3 (an empty non-terminal's bitmap is empty) */
	if (n3_find(x, n3_matches, h, &r))
		return verdict(x, bitmap_verdict(x, &r, &x->name, qtype), &x->name, h, &r);
	if (!n3_encloser(x, &k, &r, &nc))
		return;
	/* RFC 5155 8.6: no DS at an insecure delegation inside an Opt-Out span */
	if (qtype == TYPE_DS) {
		if (nc.flags & NSEC3_OPT_OUT)
			return verdict(x, DENIAL_OPT_OUT, NULL, NULL, &nc);
		return verdict(x, DENIAL_NO_MATCH, &x->name, NULL, &nc);
	}
	/* RFC 5155 8.7: the wildcard at the closest encloser matches without the type */
	dname_t ce, wild;
	dname_tail(&x->name, k, &ce);
	if (!dname_wildcard(&ce, &wild))
		return verdict(x, DENIAL_NO_MATCH, &x->name, NULL, NULL);
	if (!n3_hash(x, k, true, h))
		return;
	if (!n3_find(x, n3_matches, h, &r))
		return verdict(x, DENIAL_NO_MATCH, &wild, h, NULL);
	denial_reason_t why = bitmap_verdict(x, &r, &wild, qtype);
	if (why == DENIAL_OK && (nc.flags & NSEC3_OPT_OUT))
		return verdict(x, DENIAL_OPT_OUT, &wild, h, &nc);
	verdict(x, why, &wild, h, &r);
}

static void n3_wildcard(ctx_t *x)
{
	rec_t r;
	size_t l = x->q->labels;
	uint8_t h[HASH_LEN];
	/* RFC 5155 8.8: the next closer name, one label below the wildcard's closest encloser, is
	 * covered */
	dname_t next;
	dname_tail(&x->name, l + 1, &next);
	if (!n3_hash(x, l + 1, false, h))
		return;
	if (n3_find(x, n3_matches, h, &r))
		return verdict(x, DENIAL_NAME_EXISTS, &next, h, &r);
	if (!n3_find(x, n3_covers, h, &r))
		return verdict(x, DENIAL_NEXT_CLOSER, &next, h, NULL);
	verdict(x, (r.flags & NSEC3_OPT_OUT) ? DENIAL_OPT_OUT : DENIAL_OK, NULL, NULL, &r);
}

/* ------------------------------------------------------------------------------------------------
 * The check */

int denial_check(const wire_msg_t *msg, const denial_query_t *q, denial_result_t *out)
{
	if (msg == NULL || q == NULL || out == NULL || q->name == NULL || q->apex == NULL)
		return NSP_EINVAL;
	ctx_t x;
	memset(&x, 0, sizeof(x));
	dnssec_budget_t fresh;
	x.msg = msg;
	x.q = q;
	x.out = out;
	x.rrs = wire_section(msg, WIRE_AUTHORITY, &x.n_rrs);
	if (!dname_set(&x.name, q->name, q->name_len) || !dname_set(&x.apex, q->apex, q->apex_len) ||
	    !dname_under(&x.name, &x.apex))
		return NSP_EINVAL;
	x.budget = q->budget;
	if (x.budget == NULL) {
		dnssec_budget_init(&fresh, 0);
		x.budget = &fresh;
	}
	*out = (denial_result_t){ .reason = DENIAL_NO_PROOF, .rr = -1 };
	set_subject(&x, &x.name, NULL);

	/* One pass over the section: a record of the zone that does not read fails the proof, and the
	 * first usable NSEC3 gives the zone's parameters. */
	size_t n_nsec = 0, n_nsec3 = 0;
	for (size_t i = 0; i < x.n_rrs; i++) {
		rec_t r;
		uint16_t type = x.rrs[i].type;
		if (type != TYPE_NSEC && type != TYPE_NSEC3)
			continue;
		int rc = rec_read(&x, i, type, &r);
		if (rc < REC_BAD)
			return rc;
		if (rc == REC_BAD) {
			out->kind = type == TYPE_NSEC ? DENIAL_KIND_NSEC : DENIAL_KIND_NSEC3;
			verdict(&x, DENIAL_MALFORMED, NULL, NULL, &r);
			out->rr = (int)i;
			return 0;
		}
		if (rc != REC_OK)
			continue;
		if (type == TYPE_NSEC) {
			n_nsec++;
		} else {
			if (!x.have_params) {
				x.have_params = true;
				x.iterations = r.iterations;
				x.salt_len = r.salt_len;
				memcpy(x.salt, r.salt, r.salt_len);
			}
			n_nsec3++;
		}
	}
	if (q->claim == DENIAL_CLAIM_WILDCARD && !wildcard_labels(&x))
		return 0;
	if (n_nsec > 0) {
		out->kind = DENIAL_KIND_NSEC;
		switch (q->claim) {
		case DENIAL_CLAIM_NXDOMAIN: nsec_nxdomain(&x); break;
		case DENIAL_CLAIM_NODATA: nsec_nodata(&x); break;
		case DENIAL_CLAIM_WILDCARD: nsec_wildcard(&x); break;
		}
	} else if (n_nsec3 > 0) {
		out->kind = DENIAL_KIND_NSEC3;
		switch (q->claim) {
		case DENIAL_CLAIM_NXDOMAIN: n3_nxdomain(&x); break;
		case DENIAL_CLAIM_NODATA: n3_nodata(&x); break;
		case DENIAL_CLAIM_WILDCARD: n3_wildcard(&x); break;
		}
	}
	return 0;
}

const char *denial_reason_name(denial_reason_t reason)
{
	switch (reason) {
	case DENIAL_OK: return "ok";
	case DENIAL_OPT_OUT: return "opt-out (insecure delegation)";
	case DENIAL_NO_PROOF: return "no NSEC or NSEC3 proof";
	case DENIAL_NOT_COVERED: return "NSEC does not cover the name";
	case DENIAL_NAME_EXISTS: return "the name exists";
	case DENIAL_NO_MATCH: return "no NSEC or NSEC3 matches the name";
	case DENIAL_TYPE_PRESENT: return "type present in the bitmap";
	case DENIAL_CNAME_PRESENT: return "CNAME present in the bitmap";
	case DENIAL_ZONE_CUT: return "proof from the other side of a zone cut";
	case DENIAL_WILDCARD_NOT_DENIED: return "wildcard not denied";
	case DENIAL_WILDCARD_NO_PROOF: return "wildcard expansion without proof";
	case DENIAL_WILDCARD_ENCLOSER: return "wildcard closest encloser inconsistent";
	case DENIAL_NO_CLOSEST_ENCLOSER: return "no closest encloser";
	case DENIAL_NEXT_CLOSER: return "next closer name not covered";
	case DENIAL_WORK_LIMIT: return "NSEC3 work limit";
	case DENIAL_MALFORMED: return "malformed NSEC/NSEC3";
	}
	return "unknown";
}

/* " (NSEC owner next name)" or " (NSEC3 owner next hash)" for authority RR i. */
static int describe_rr(const wire_msg_t *msg, int i, buf_t *out)
{
	size_t n;
	const wire_rr_t *rrs = wire_section(msg, WIRE_AUTHORITY, &n);
	if (i < 0 || (size_t)i >= n)
		return NSP_EMALFORMED;
	const wire_rr_t *rr = &rrs[i];
	const char *t = dnstab_type_name(rr->type);
	buf_printf(out, " (%s ", t ? t : "?");
	int rc = rrtext_name(msg, rr->owner, out);
	if (rc < 0)
		return rc;
	cursor_t c = cursor_at(msg->buf, (size_t)rr->rdata + rr->rdlen, rr->rdata);
	if (rr->type == TYPE_NSEC) {
		uint8_t w[CURSOR_MAX_NAME];
		dname_t d;
		size_t l = cursor_name(&c, w);
		if (l > 0 && dname_set(&d, w, l)) {
			buf_puts(out, " next ");
			name_put(out, &d);
		}
	} else if (rr->type == TYPE_NSEC3) {
		cursor_skip(&c, 4);
		cursor_skip(&c, cursor_u8(&c));
		uint8_t hl = cursor_u8(&c);
		const uint8_t *h = cursor_bytes(&c, hl);
		if (h != NULL) {
			buf_puts(out, " next ");
			base32hex_put(out, h, hl, false);
		}
	}
	buf_putc(out, ')');
	return 0;
}

int denial_describe(const wire_msg_t *msg, const denial_result_t *r, buf_t *out)
{
	if (msg == NULL || r == NULL || out == NULL)
		return NSP_EINVAL;
	buf_puts(out, denial_reason_name(r->reason));
	dname_t d;
	if (r->subject_len > 0 && dname_set(&d, r->subject, r->subject_len)) {
		buf_puts(out, ": ");
		name_put(out, &d);
	}
	if (r->subject_hashed) {
		buf_puts(out, " (hash ");
		base32hex_put(out, r->subject_hash, HASH_LEN, false);
		buf_putc(out, ')');
	}
	if (r->rr >= 0) {
		int rc = describe_rr(msg, r->rr, out);
		if (rc < 0)
			return rc;
	}
	if (r->reason == DENIAL_WORK_LIMIT && r->limit != DNSSEC_LIMIT_NONE)
		buf_printf(out, " [%s]", dnssec_limit_describe(r->limit));
	return buf_ok(out) ? 0 : NSP_ENOMEM;
}
