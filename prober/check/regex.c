/* regex -- Go's regexp syntax (RE2, as blackbox_exporter's validators read it) run by PCRE2.
 *
 * blackbox calls regexp.MatchString(re, rr.String()) for every RR: RE2 syntax as Go's
 * regexp/syntax parses it with syntax.Perl flags, unanchored search. PCRE2 accepts a superset of that
 * syntax with a few different meanings (\v, \s, $, \Z, {01}, backreferences, lookaround, (?<n>,
 * possessive quantifiers, verbs, \K, \R, \h, ...). So we do not hand the pattern to PCRE2: we parse
 * it the way Go's parser does (Go 1.19's parse.go, the toolchain Debian built blackbox 0.23 with),
 * reject what Go rejects with Go's own error text, and emit an equivalent PCRE2 pattern in which every
 * literal is a \x{..} escape, every class is explicit, and every flag change is spelled out.
 *
 * Go semantics kept by the translation:
 * - `^`/`$` are \A/\z unless (?m); under (?m) PCRE2's multiline `^` also matches after a final
 *   newline (PCRE2_ALT_CIRCUMFLEX), like Go's OpBeginLine.
 * - `.` excludes only \n (PCRE2_NEWLINE_LF); \s is [\t\n\f\r ] (no VT); \v is VT; \d \w \b are ASCII.
 * - Flag groups scope like Go's: (?i) lasts to the end of the enclosing group, across `|`.
 * - Quantifying an already quantified item via an intervening empty piece (`a*(?i)*`, `a*\Q\E*`)
 *   gives (a*)* as in Go, and empty-width assertions may be repeated (`^*`).
 * - Nested counted repetitions whose product exceeds 1000 are "invalid repeat count" (Go's
 *   repeatIsValid); {n} with a leading zero is literal text; `a{,5}` is literal text.
 * - \p{Name} takes Go 1.19's exact names (categories, Unicode 13 scripts, Any); scripts are matched
 *   as Script (\p{sc:..}), not Script_Extensions.
 *
 * Known differences: (?i) does not fold \p{..} or [[:upper:]] classes in PCRE2; Go matches an invalid
 * UTF-8 byte in the subject as U+FFFD while PCRE2_MATCH_INVALID_UTF never matches it; PCRE2's Unicode
 * tables are 14.0 (Go 1.19: 13.0); Go's "expression too large"/"nests too deeply" limits are
 * approximated by PCRE2's own limits. RR text from rrtext is ASCII, so the UTF-8 cases do not arise
 * for RR matching. */
#include "check/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/errors.h"
#include "lib/utf8.h"

/* PCRE2 limits per match: a pathological pattern fails the probe instead of burning the loop. */
#define REGEX_MATCH_LIMIT 1000000u
#define REGEX_DEPTH_LIMIT 10000u
/* Go's maxRepeat and maxHeight. */
#define GO_MAX_REPEAT 1000
#define GO_MAX_HEIGHT 1000

struct regex_pattern {
	char *source;
	pcre2_code *code;            /* NULL when the pattern does not compile */
	pcre2_match_context *mctx;   /* read-only after creation, shared by threads */
	char *error;                 /* Go's error text when code is NULL */
};

/* ---- Go regexp/syntax error texts (parse.go ErrorCode) ---- */

#define ERR_INTERNAL       "regexp/syntax: internal error"
#define ERR_CHAR_RANGE     "invalid character class range"
#define ERR_ESCAPE         "invalid escape sequence"
#define ERR_NAMED_CAPTURE  "invalid named capture"
#define ERR_PERL_OP        "invalid or unsupported Perl syntax"
#define ERR_REPEAT_OP      "invalid nested repetition operator"
#define ERR_REPEAT_SIZE    "invalid repeat count"
#define ERR_UTF8           "invalid UTF-8"
#define ERR_BRACKET        "missing closing ]"
#define ERR_PAREN          "missing closing )"
#define ERR_REPEAT_ARG     "missing argument to repetition operator"
#define ERR_BACKSLASH      "trailing backslash at end of expression"
#define ERR_UNEXPECTED     "unexpected )"
#define ERR_NESTING        "expression nests too deeply"
#define ERR_LARGE          "expression too large"

/* Go parser flags that matter for the translation. */
enum {
	GF_FOLD = 1,       /* (?i) */
	GF_MULTI = 2,      /* (?m), i.e. not OneLine */
	GF_DOTNL = 4,      /* (?s) */
	GF_UNGREEDY = 8,   /* (?U) */
	GF_MASK = 15,
};

typedef struct tr_group {
	size_t out_start;
	unsigned go_flags;
	unsigned pcre_flags;
	unsigned seq_cost;
} tr_group_t;

typedef struct tr {
	const char *end;
	const char *whole;
	buf_t out;
	char *err;
	tr_group_t *grp;
	size_t ngrp, capgrp;
	unsigned flags;      /* Go's p.flags */
	unsigned pflags;     /* the flags PCRE2 sees at the end of out */
	bool have_atom;      /* Go's stack top is an operand (not empty, '(' or '|') */
	bool atom_wrap;      /* quantifying the atom needs (?:...) around it first */
	size_t atom_start;
	unsigned atom_cost;  /* product of nested counted repeats (repeatIsValid) */
	unsigned seq_cost;   /* max atom_cost of the finished operands in the current group */
} tr_t;

#define RUNE_ERROR UTF8_RUNE_ERROR

/* Go's utf8.DecodeRuneInString: at the end it gives (RuneError, 0); an invalid byte gives
 * (RuneError, 1), which nextRune turns into an error. */
static uint32_t decode_rune(const char *p, const char *end, size_t *size)
{
	return utf8_decode((const unsigned char *)p, (size_t)(end - p), size);
}

static bool tr_fail(tr_t *t, const char *code, const char *expr, size_t len)
{
	if (t->err)
		return false;
	buf_t b = BUF_INIT;
	buf_printf(&b, "error parsing regexp: %s: `", code);
	buf_append(&b, expr, len);
	buf_putc(&b, '`');
	t->err = buf_steal(&b);
	if (!t->err)
		t->out.oom = true;
	return false;
}

/* Go's nextRune: false (error set) on invalid UTF-8. */
static bool tr_next_rune(tr_t *t, const char **u, const char *end, uint32_t *c)
{
	size_t size;
	*c = decode_rune(*u, end, &size);
	if (*c == RUNE_ERROR && size == 1)
		return tr_fail(t, ERR_UTF8, *u, (size_t)(end - *u));
	*u += size;
	return true;
}

/* Go's checkUTF8. */
static bool tr_check_utf8(tr_t *t, const char *s, const char *end)
{
	while (s < end) {
		uint32_t c;
		if (!tr_next_rune(t, &s, end, &c))
			return false;
	}
	return true;
}

static bool is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* ---- output ---- */

static void tr_put_rune(tr_t *t, uint32_t c)
{
	if (is_alnum(c))
		buf_putc(&t->out, (char)c);
	else
		buf_printf(&t->out, "\\x{%x}", c);
}

/* Spells out the full Go flag state for PCRE2 when it differs from what PCRE2 has. */
static void tr_sync_flags(tr_t *t)
{
	if (t->pflags == t->flags)
		return;
	static const struct { unsigned bit; char letter; } map[] = {
		{ GF_FOLD, 'i' }, { GF_MULTI, 'm' }, { GF_DOTNL, 's' }, { GF_UNGREEDY, 'U' },
	};
	buf_puts(&t->out, "(?");
	for (size_t i = 0; i < 4; i++)
		if (t->flags & map[i].bit)
			buf_putc(&t->out, map[i].letter);
	if ((t->flags & GF_MASK) != GF_MASK) {
		buf_putc(&t->out, '-');
		for (size_t i = 0; i < 4; i++)
			if (!(t->flags & map[i].bit))
				buf_putc(&t->out, map[i].letter);
	}
	buf_putc(&t->out, ')');
	t->pflags = t->flags;
}

/* Starts a new operand in the output. `wrap`: it cannot take a quantifier as it stands. */
/* Folds the current operand's cost into its group's. */
static void tr_atom_done(tr_t *t)
{
	if (t->have_atom && t->seq_cost < t->atom_cost)
		t->seq_cost = t->atom_cost;
}

static void tr_atom(tr_t *t, bool wrap)
{
	tr_sync_flags(t);
	tr_atom_done(t);
	t->have_atom = true;
	t->atom_wrap = wrap;
	t->atom_start = t->out.len;
	t->atom_cost = 1;
}

static void tr_literal(tr_t *t, uint32_t c)
{
	if (c >= 0xd800 && c <= 0xdfff) {
		/* Go accepts \x{D800} but no decoded input rune is ever a surrogate. */
		tr_atom(t, true);
		buf_puts(&t->out, "(?!)");
		return;
	}
	tr_atom(t, false);
	tr_put_rune(t, c);
}

static void tr_insert(tr_t *t, size_t at, const char *s)
{
	size_t n = strlen(s);
	if (buf_reserve(&t->out, n) != 0)
		return;
	memmove(t->out.p + at + n, t->out.p + at, t->out.len - at + 1);
	memcpy(t->out.p + at, s, n);
	t->out.len += n;
}

/* ---- the parser (parse.go order of checks) ---- */

/* Go's repeat(): `before` is at the operator, `after` just past it ('?' not yet consumed). */
static bool tr_repeat(tr_t *t, char op, int min, int max, const char *before, const char **after,
		      const char *last_repeat)
{
	bool nongreedy = (t->flags & GF_UNGREEDY) != 0;
	if (*after < t->end && **after == '?') {
		(*after)++;
		nongreedy = !nongreedy;
	}
	if (last_repeat)
		return tr_fail(t, ERR_REPEAT_OP, last_repeat, (size_t)(*after - last_repeat));
	if (!t->have_atom)
		return tr_fail(t, ERR_REPEAT_ARG, before, (size_t)(*after - before));

	if (op == '{') {
		unsigned cost;
		if (max == 0) {
			cost = 1;
		} else {
			unsigned m = (unsigned)(max < 0 ? min : max);
			cost = m ? m * t->atom_cost : t->atom_cost;
			if (cost > GO_MAX_REPEAT + 1)
				cost = GO_MAX_REPEAT + 1;
		}
		if ((min >= 2 || max >= 2) && cost > GO_MAX_REPEAT)
			return tr_fail(t, ERR_REPEAT_SIZE, before, (size_t)(*after - before));
		t->atom_cost = cost;
	}

	if (t->atom_wrap) {
		tr_insert(t, t->atom_start, "(?:");
		buf_putc(&t->out, ')');
	}
	if (op == '{') {
		if (max < 0)
			buf_printf(&t->out, "{%d,}", min);
		else if (min == max)
			buf_printf(&t->out, "{%d}", min);
		else
			buf_printf(&t->out, "{%d,%d}", min, max);
	} else {
		buf_putc(&t->out, op);
	}
	if (nongreedy != ((t->pflags & GF_UNGREEDY) != 0))
		buf_putc(&t->out, '?');
	t->atom_wrap = true;   /* a quantified item needs a group before another quantifier */
	return true;
}

/* Go's parseInt: digits, no leading zero; -1 when too big. */
static bool tr_parse_int(const char **s, const char *end, int *n)
{
	const char *p = *s;
	if (p == end || *p < '0' || *p > '9')
		return false;
	if (end - p >= 2 && p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	*n = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (*n >= 100000000 || *n < 0)
			*n = -1;
		else
			*n = *n * 10 + (*p - '0');
	}
	*s = p;
	return true;
}

/* Go's parseRepeat: {min}, {min,}, {min,max}. */
static bool tr_parse_repeat(const char *s, const char *end, int *min, int *max, const char **rest)
{
	if (s == end || *s != '{')
		return false;
	s++;
	if (!tr_parse_int(&s, end, min) || s == end)
		return false;
	if (*s != ',') {
		*max = *min;
	} else {
		s++;
		if (s == end)
			return false;
		if (*s == '}') {
			*max = -1;
		} else {
			if (!tr_parse_int(&s, end, max))
				return false;
			if (*max < 0)
				*min = -1;
		}
	}
	if (s == end || *s != '}')
		return false;
	*rest = s + 1;
	return true;
}

static void tr_open_group(tr_t *t)
{
	tr_atom_done(t);
	if (t->ngrp == t->capgrp) {
		size_t cap = t->capgrp ? t->capgrp * 2 : 8;
		tr_group_t *g = realloc(t->grp, cap * sizeof(*g));
		if (!g) {
			t->out.oom = true;
			return;
		}
		t->grp = g;
		t->capgrp = cap;
	}
	t->grp[t->ngrp++] = (tr_group_t){
		.out_start = t->out.len,
		.go_flags = t->flags,
		.pcre_flags = t->pflags,
		.seq_cost = t->seq_cost,
	};
	buf_puts(&t->out, "(?:");
	t->have_atom = false;
	t->seq_cost = 0;
}

static bool tr_close_group(tr_t *t)
{
	if (t->ngrp == 0)
		return tr_fail(t, ERR_UNEXPECTED, t->whole, (size_t)(t->end - t->whole));
	tr_group_t g = t->grp[--t->ngrp];
	buf_putc(&t->out, ')');
	tr_atom_done(t);
	unsigned inner = t->seq_cost ? t->seq_cost : 1;
	t->flags = g.go_flags;
	t->pflags = g.pcre_flags;
	t->seq_cost = g.seq_cost;
	t->have_atom = true;
	t->atom_wrap = false;
	t->atom_start = g.out_start;
	t->atom_cost = inner;
	return true;
}

/* Go's parsePerlFlags; s is at "(?". */
static bool tr_perl_flags(tr_t *t, const char **sp)
{
	const char *s = *sp, *end = t->end;
	if (end - s > 4 && s[2] == 'P' && s[3] == '<') {
		const char *gt = memchr(s, '>', (size_t)(end - s));
		if (!gt) {
			if (!tr_check_utf8(t, s, end))
				return false;
			return tr_fail(t, ERR_NAMED_CAPTURE, s, (size_t)(end - s));
		}
		const char *name = s + 4;
		if (!tr_check_utf8(t, name, gt))
			return false;
		bool valid = name < gt;
		for (const char *p = name; p < gt; p++)
			valid = valid && (is_alnum((unsigned char)*p) || *p == '_');
		if (!valid)
			return tr_fail(t, ERR_NAMED_CAPTURE, s, (size_t)(gt + 1 - s));
		tr_open_group(t);   /* names only matter for captures, which we never read */
		*sp = gt + 1;
		return true;
	}

	const char *u = s + 2;
	unsigned fl = t->flags;
	int sign = 1;
	bool saw = false;
	while (u < end) {
		uint32_t c;
		if (!tr_next_rune(t, &u, end, &c))
			return false;
		switch (c) {
		case 'i': fl |= GF_FOLD; saw = true; continue;
		case 'm': fl |= GF_MULTI; saw = true; continue;
		case 's': fl |= GF_DOTNL; saw = true; continue;
		case 'U': fl |= GF_UNGREEDY; saw = true; continue;
		case '-':
			if (sign < 0)
				break;
			sign = -1;
			fl = ~fl;   /* as Go: set bits now clear them */
			saw = false;
			continue;
		case ':':
		case ')':
			if (sign < 0) {
				if (!saw)
					break;
				fl = ~fl;
			}
			if (c == ':')
				tr_open_group(t);
			t->flags = fl & GF_MASK;
			*sp = u;
			return true;
		default:
			break;
		}
		break;
	}
	return tr_fail(t, ERR_PERL_OP, s, (size_t)(u - s));
}

/* Go's parseEscape; s is at the backslash. */
static bool tr_escape(tr_t *t, const char **sp, uint32_t *r)
{
	const char *s = *sp, *end = t->end, *u = s + 1;
	if (u == end)
		return tr_fail(t, ERR_BACKSLASH, "", 0);
	uint32_t c;
	if (!tr_next_rune(t, &u, end, &c))
		return false;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a single non-zero digit would be a backreference: not supported */
		if (u == end || *u < '0' || *u > '7')
			break;
		/* fall through */
	case '0':
		*r = c - '0';
		for (int i = 1; i < 3 && u < end && *u >= '0' && *u <= '7'; i++)
			*r = *r * 8 + (uint32_t)(*u++ - '0');
		*sp = u;
		return true;
	case 'x': {
		if (u == end)
			break;
		if (!tr_next_rune(t, &u, end, &c))
			return false;
		if (c == '{') {
			int nhex = 0;
			uint32_t v = 0;
			for (;;) {
				if (u == end)
					goto bad;
				if (!tr_next_rune(t, &u, end, &c))
					return false;
				if (c == '}')
					break;
				int h = unhex(c);
				if (h < 0)
					goto bad;
				v = v * 16 + (uint32_t)h;
				if (v > 0x10ffff)
					goto bad;
				nhex++;
			}
			if (nhex == 0)
				break;
			*r = v;
			*sp = u;
			return true;
		}
		int x = unhex(c);
		if (!tr_next_rune(t, &u, end, &c))
			return false;
		int y = unhex(c);
		if (x < 0 || y < 0)
			break;
		*r = (uint32_t)(x * 16 + y);
		*sp = u;
		return true;
	}
	case 'a': *r = '\a'; *sp = u; return true;
	case 'f': *r = '\f'; *sp = u; return true;
	case 'n': *r = '\n'; *sp = u; return true;
	case 'r': *r = '\r'; *sp = u; return true;
	case 't': *r = '\t'; *sp = u; return true;
	case 'v': *r = '\v'; *sp = u; return true;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*r = c;
			*sp = u;
			return true;
		}
		break;
	}
bad:
	return tr_fail(t, ERR_ESCAPE, s, (size_t)(u - s));
}

/* Perl class escapes as PCRE2 class bodies (ASCII, Go's perl_groups.go); surrogates left out. */
static const char *tr_perl_class(char c)
{
	switch (c) {
	case 'd': return "0-9";
	case 'D': return "\\x{0}-\\x{2f}\\x{3a}-\\x{d7ff}\\x{e000}-\\x{10ffff}";
	case 's': return "\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}";
	case 'S': return "\\x{0}-\\x{8}\\x{b}\\x{e}-\\x{1f}\\x{21}-\\x{d7ff}\\x{e000}-\\x{10ffff}";
	case 'w': return "0-9A-Z_a-z";
	case 'W': return "\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{d7ff}\\x{e000}-\\x{10ffff}";
	default:  return NULL;
	}
}

/* Go 1.19 unicode.Categories keys, "Any", and unicode.Scripts keys (Unicode 13.0). */
static const char *const go_categories[] = {
	"C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
	"N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk",
	"Sm", "So", "Z", "Zl", "Zp", "Zs", "Any",
};
static const char *const go_scripts[] = {
	"Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese",
	"Bamum", "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille",
	"Buginese", "Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham",
	"Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cyrillic", "Deseret",
	"Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan",
	"Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
	"Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran",
	"Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi",
	"Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kayah_Li",
	"Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin",
	"Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani",
	"Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin",
	"Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi",
	"Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nandinagari", "New_Tai_Lue", "Newa",
	"Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian",
	"Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian",
	"Old_South_Arabian", "Old_Turkic", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong",
	"Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic",
	"Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala",
	"Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog",
	"Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangut", "Telugu", "Thaana",
	"Thai", "Tibetan", "Tifinagh", "Tirhuta", "Ugaritic", "Vai", "Wancho", "Warang_Citi",
	"Yezidi", "Yi", "Zanabazar_Square",
};

static bool name_in(const char *const *tab, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i]) == len && memcmp(tab[i], name, len) == 0)
			return true;
	return false;
}

/* Go's parseUnicodeClass (1.19). Returns 1 and writes \p{..} when s starts one, 0 when it does
 * not, -1 on error. */
static int tr_unicode_class(tr_t *t, const char **sp)
{
	const char *s = *sp, *end = t->end;
	if (end - s < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P'))
		return 0;
	int sign = s[1] == 'P' ? -1 : 1;
	const char *u = s + 2;
	uint32_t c;
	if (!tr_next_rune(t, &u, end, &c))
		return -1;
	const char *seq_end, *name, *name_end;
	if (c != '{') {
		seq_end = u;
		name = s + 2;
		name_end = u;
	} else {
		const char *close = memchr(s, '}', (size_t)(end - s));
		if (!close) {
			if (!tr_check_utf8(t, s, end))
				return -1;
			tr_fail(t, ERR_CHAR_RANGE, s, (size_t)(end - s));
			return -1;
		}
		seq_end = close + 1;
		name = s + 3;
		name_end = close;
		if (!tr_check_utf8(t, name, name_end))
			return -1;
	}
	if (name < name_end && *name == '^') {
		sign = -sign;
		name++;
	}
	size_t len = (size_t)(name_end - name);
	bool script = false;
	if (!name_in(go_categories, sizeof(go_categories) / sizeof(go_categories[0]), name, len)) {
		if (!name_in(go_scripts, sizeof(go_scripts) / sizeof(go_scripts[0]), name, len)) {
			tr_fail(t, ERR_CHAR_RANGE, s, (size_t)(seq_end - s));
			return -1;
		}
		script = true;
	}
	buf_puts(&t->out, sign > 0 ? "\\p{" : "\\P{");
	if (script)
		buf_puts(&t->out, "sc:");
	buf_append(&t->out, name, len);
	buf_putc(&t->out, '}');
	*sp = seq_end;
	return 1;
}

static const char *const go_posix_classes[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
	"space", "upper", "word", "xdigit",
};

/* Go's parseClassChar. */
static bool tr_class_char(tr_t *t, const char **u, const char *whole, uint32_t *r)
{
	if (*u == t->end)
		return tr_fail(t, ERR_BRACKET, whole, (size_t)(t->end - whole));
	if (**u == '\\')
		return tr_escape(t, u, r);
	return tr_next_rune(t, u, t->end, r);
}

/* Appends lo-hi to a PCRE2 class body, leaving out surrogates (they never match in Go). */
static size_t tr_class_range(tr_t *t, uint32_t lo, uint32_t hi)
{
	if (lo >= 0xd800 && hi <= 0xdfff)
		return 0;
	if (lo < 0xd800 && hi >= 0xd800) {
		size_t n = tr_class_range(t, lo, 0xd7ff);
		return n + (hi > 0xdfff ? tr_class_range(t, 0xe000, hi) : 0);
	}
	if (lo >= 0xd800 && lo <= 0xdfff)
		lo = 0xe000;
	tr_put_rune(t, lo);
	if (hi != lo) {
		buf_putc(&t->out, '-');
		tr_put_rune(t, hi);
	}
	return 1;
}

/* Go's parseClass; s is at '['. */
static bool tr_class(tr_t *t, const char **sp)
{
	const char *s = *sp, *end = t->end, *u = s + 1;
	bool neg = false;
	if (u < end && *u == '^') {
		neg = true;
		u++;
	}
	tr_atom(t, false);
	size_t open = t->out.len;
	buf_puts(&t->out, neg ? "[^" : "[");
	size_t items = 0;
	bool first = true;
	while (u == end || *u != ']' || first) {
		first = false;
		if (end - u > 2 && u[0] == '[' && u[1] == ':') {
			const char *q = u + 2, *close = NULL;
			for (; q + 1 < end; q++) {
				if (q[0] == ':' && q[1] == ']') {
					close = q;
					break;
				}
			}
			if (close) {
				const char *nm = u + 2;
				if (nm < close && *nm == '^')
					nm++;
				if (!name_in(go_posix_classes, sizeof(go_posix_classes) / sizeof(go_posix_classes[0]),
					     nm, (size_t)(close - nm)))
					return tr_fail(t, ERR_CHAR_RANGE, u, (size_t)(close + 2 - u));
				buf_append(&t->out, u, (size_t)(close + 2 - u));
				items++;
				u = close + 2;
				continue;
			}
		}
		int uc = tr_unicode_class(t, &u);
		if (uc < 0)
			return false;
		if (uc > 0) {
			items++;
			continue;
		}
		if (end - u >= 2 && u[0] == '\\' && tr_perl_class(u[1])) {
			buf_puts(&t->out, tr_perl_class(u[1]));
			items++;
			u += 2;
			continue;
		}
		const char *rng = u;
		uint32_t lo, hi;
		if (!tr_class_char(t, &u, s, &lo))
			return false;
		hi = lo;
		if (end - u >= 2 && u[0] == '-' && u[1] != ']') {
			u++;
			if (!tr_class_char(t, &u, s, &hi))
				return false;
			if (hi < lo)
				return tr_fail(t, ERR_CHAR_RANGE, rng, (size_t)(u - rng));
		}
		items += tr_class_range(t, lo, hi);
	}
	u++;
	if (items == 0) {
		/* only surrogates: Go's class matches nothing (or, negated, any rune) */
		t->out.len = open;
		if (t->out.p)
			t->out.p[open] = '\0';
		buf_puts(&t->out, neg ? "[\\x{0}-\\x{d7ff}\\x{e000}-\\x{10ffff}]" : "(?!)");
		t->atom_wrap = !neg;
	} else {
		buf_putc(&t->out, ']');
	}
	*sp = u;
	return true;
}

/* Go's main parse loop. On success t->out holds the PCRE2 pattern. */
static bool tr_parse(tr_t *t)
{
	const char *u = t->whole, *end = t->end;
	const char *last_repeat = NULL;
	while (u < end) {
		const char *repeat = NULL;
		switch (*u) {
		default: {
			uint32_t c;
			if (!tr_next_rune(t, &u, end, &c))
				return false;
			tr_literal(t, c);
			break;
		}
		case '(':
			if (end - u >= 2 && u[1] == '?') {
				if (!tr_perl_flags(t, &u))
					return false;
				break;
			}
			tr_open_group(t);
			u++;
			break;
		case '|':
			tr_atom_done(t);
			buf_putc(&t->out, '|');
			t->have_atom = false;
			u++;
			break;
		case ')':
			if (!tr_close_group(t))
				return false;
			u++;
			break;
		case '^':
			tr_atom(t, true);
			buf_puts(&t->out, (t->flags & GF_MULTI) ? "^" : "\\A");
			u++;
			break;
		case '$':
			tr_atom(t, true);
			buf_puts(&t->out, (t->flags & GF_MULTI) ? "$" : "\\z");
			u++;
			break;
		case '.':
			tr_atom(t, false);
			buf_putc(&t->out, '.');
			u++;
			break;
		case '[':
			if (!tr_class(t, &u))
				return false;
			break;
		case '*':
		case '+':
		case '?': {
			const char *before = u, *after = u + 1;
			if (!tr_repeat(t, *u, 0, 0, before, &after, last_repeat))
				return false;
			repeat = before;
			u = after;
			break;
		}
		case '{': {
			int min, max;
			const char *before = u, *after;
			if (!tr_parse_repeat(u, end, &min, &max, &after)) {
				tr_literal(t, '{');
				u++;
				break;
			}
			if (min < 0 || min > GO_MAX_REPEAT || max > GO_MAX_REPEAT || (max >= 0 && min > max))
				return tr_fail(t, ERR_REPEAT_SIZE, before, (size_t)(after - before));
			if (!tr_repeat(t, '{', min, max, before, &after, last_repeat))
				return false;
			repeat = before;
			u = after;
			break;
		}
		case '\\':
			if (end - u >= 2) {
				const char *op = NULL;
				switch (u[1]) {
				case 'A': op = "\\A"; break;
				case 'b': op = "\\b"; break;
				case 'B': op = "\\B"; break;
				case 'z': op = "\\z"; break;
				case 'C':
					return tr_fail(t, ERR_ESCAPE, u, 2);
				case 'Q': {
					const char *lit = u + 2, *lit_end = end, *next = end;
					for (const char *q = lit; q + 1 < end; q++) {
						if (q[0] == '\\' && q[1] == 'E') {
							lit_end = q;
							next = q + 2;
							break;
						}
					}
					while (lit < lit_end) {
						uint32_t c;
						if (!tr_next_rune(t, &lit, lit_end, &c))
							return false;
						tr_literal(t, c);
					}
					u = next;
					goto next_token;
				}
				default:
					break;
				}
				if (op) {
					tr_atom(t, true);
					buf_puts(&t->out, op);
					u += 2;
					break;
				}
			}
			if (end - u >= 2 && (u[1] == 'p' || u[1] == 'P')) {
				tr_atom(t, false);
				int uc = tr_unicode_class(t, &u);
				if (uc < 0)
					return false;
				if (uc > 0)
					break;
			}
			if (end - u >= 2 && tr_perl_class(u[1])) {
				tr_atom(t, false);
				buf_putc(&t->out, '[');
				buf_puts(&t->out, tr_perl_class(u[1]));
				buf_putc(&t->out, ']');
				u += 2;
				break;
			}
			{
				uint32_t c;
				if (!tr_escape(t, &u, &c))
					return false;
				tr_literal(t, c);
			}
			break;
		}
next_token:
		last_repeat = repeat;
	}
	if (t->ngrp > 0)
		return tr_fail(t, ERR_PAREN, t->whole, (size_t)(end - t->whole));
	return true;
}

/* ---- patterns ---- */

static char *str_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static char *go_error(const char *code, const char *pattern)
{
	buf_t b = BUF_INIT;
	buf_printf(&b, "error parsing regexp: %s: `%s`", code, pattern);
	return buf_steal(&b);
}

/* Compiles the translated pattern; returns NSP_ENOMEM only when out of memory. */
static int regex_compile(regex_pattern_t *re, const char *pcre_pattern, size_t len)
{
	pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
	if (!cctx)
		return NSP_ENOMEM;
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	pcre2_set_parens_nest_limit(cctx, GO_MAX_HEIGHT);
	int errcode = 0;
	PCRE2_SIZE erroff = 0;
	re->code = pcre2_compile((PCRE2_SPTR)pcre_pattern, len,
				 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |
				 PCRE2_ALT_CIRCUMFLEX | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_BACKSLASH_C,
				 &errcode, &erroff, cctx);
	pcre2_compile_context_free(cctx);
	if (!re->code) {
		if (errcode == PCRE2_ERROR_HEAP_FAILED)
			return NSP_ENOMEM;
		const char *code = ERR_INTERNAL;
		if (errcode == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP ||
		    errcode == PCRE2_ERROR_QUERY_BARJX_NEST_TOO_DEEP)
			code = ERR_NESTING;
		else if (errcode == PCRE2_ERROR_PATTERN_TOO_LARGE || errcode == PCRE2_ERROR_PATTERN_TOO_COMPLICATED)
			code = ERR_LARGE;
		re->error = go_error(code, re->source);
		return re->error ? 0 : NSP_ENOMEM;
	}
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);   /* the interpreter is the fallback */
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx)
		return NSP_ENOMEM;
	pcre2_set_match_limit(re->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, REGEX_DEPTH_LIMIT);
	return 0;
}

regex_pattern_t *regex_new(const char *pattern)
{
	regex_pattern_t *re = calloc(1, sizeof(*re));
	if (!re)
		return NULL;
	re->source = str_dup(pattern);
	if (!re->source)
		goto fail;

	tr_t t = {
		.whole = re->source,
		.end = re->source + strlen(re->source),
	};
	bool ok = tr_parse(&t);
	free(t.grp);
	if (!buf_ok(&t.out)) {
		free(t.err);
		buf_free(&t.out);
		goto fail;
	}
	if (!ok) {
		re->error = t.err;
		buf_free(&t.out);
		return re;
	}
	int rc = regex_compile(re, buf_str(&t.out), t.out.len);
	buf_free(&t.out);
	if (rc != 0)
		goto fail;
	return re;
fail:
	regex_free(re);
	return NULL;
}

void regex_free(regex_pattern_t *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->error);
	free(re->source);
	free(re);
}

const char *regex_source(const regex_pattern_t *re)
{
	return re->source;
}

const char *regex_error(const regex_pattern_t *re)
{
	return re->error;
}

int regex_match(const regex_pattern_t *re, const char *s, size_t len, char *err, size_t errlen)
{
	if (!re->code) {
		snprintf(err, errlen, "%s", re->error);
		return -1;
	}
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	char msg[256];
	if (pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof(msg)) < 0)
		snprintf(msg, sizeof(msg), "error %d", rc);
	snprintf(err, errlen, "regexp match failed: %s", msg);
	return -1;
}
