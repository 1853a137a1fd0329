/* dnstab -- DNS mnemonics exactly as miekg/dns 1.1.50 names them (ztypes.go, msg.go). */
#include "dns/dnstab.h"

#include <stddef.h>
#include <string.h>

typedef struct mnemonic {
	uint16_t code;
	const char *name;
} mnemonic_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ztypes.go TypeToString (84 entries); StringToType is its reverse. */
static const mnemonic_t types[] = {
	{ 0, "None" },      { 1, "A" },          { 2, "NS" },         { 3, "MD" },
	{ 4, "MF" },        { 5, "CNAME" },      { 6, "SOA" },        { 7, "MB" },
	{ 8, "MG" },        { 9, "MR" },         { 10, "NULL" },      { 12, "PTR" },
	{ 13, "HINFO" },    { 14, "MINFO" },     { 15, "MX" },        { 16, "TXT" },
	{ 17, "RP" },       { 18, "AFSDB" },     { 19, "X25" },       { 20, "ISDN" },
	{ 21, "RT" },       { 23, "NSAP-PTR" },  { 24, "SIG" },       { 25, "KEY" },
	{ 26, "PX" },       { 27, "GPOS" },      { 28, "AAAA" },      { 29, "LOC" },
	{ 30, "NXT" },      { 31, "EID" },       { 32, "NIMLOC" },    { 33, "SRV" },
	{ 34, "ATMA" },     { 35, "NAPTR" },     { 36, "KX" },        { 37, "CERT" },
	{ 39, "DNAME" },    { 41, "OPT" },       { 42, "APL" },       { 43, "DS" },
	{ 44, "SSHFP" },    { 46, "RRSIG" },     { 47, "NSEC" },      { 48, "DNSKEY" },
	{ 49, "DHCID" },    { 50, "NSEC3" },     { 51, "NSEC3PARAM" }, { 52, "TLSA" },
	{ 53, "SMIMEA" },   { 55, "HIP" },       { 56, "NINFO" },     { 57, "RKEY" },
	{ 58, "TALINK" },   { 59, "CDS" },       { 60, "CDNSKEY" },   { 61, "OPENPGPKEY" },
	{ 62, "CSYNC" },    { 63, "ZONEMD" },    { 64, "SVCB" },      { 65, "HTTPS" },
	{ 99, "SPF" },      { 100, "UINFO" },    { 101, "UID" },      { 102, "GID" },
	{ 103, "UNSPEC" },  { 104, "NID" },      { 105, "L32" },      { 106, "L64" },
	{ 107, "LP" },      { 108, "EUI48" },    { 109, "EUI64" },    { 249, "TKEY" },
	{ 250, "TSIG" },    { 251, "IXFR" },     { 252, "AXFR" },     { 253, "MAILB" },
	{ 254, "MAILA" },   { 255, "ANY" },      { 256, "URI" },      { 257, "CAA" },
	{ 258, "AVC" },     { 32768, "TA" },     { 32769, "DLV" },    { 65535, "Reserved" },
};

/* msg.go ClassToString */
static const mnemonic_t classes[] = {
	{ 1, "IN" }, { 2, "CS" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

/* msg.go RcodeToString; 16 is BADSIG only (BADVERS is commented out in 1.1.50) */
static const mnemonic_t rcodes[] = {
	{ 0, "NOERROR" },  { 1, "FORMERR" },  { 2, "SERVFAIL" }, { 3, "NXDOMAIN" },
	{ 4, "NOTIMP" },   { 5, "REFUSED" },  { 6, "YXDOMAIN" }, { 7, "YXRRSET" },
	{ 8, "NXRRSET" },  { 9, "NOTAUTH" },  { 10, "NOTZONE" }, { 16, "BADSIG" },
	{ 17, "BADKEY" },  { 18, "BADTIME" }, { 19, "BADMODE" }, { 20, "BADNAME" },
	{ 21, "BADALG" },  { 22, "BADTRUNC" }, { 23, "BADCOOKIE" },
};

/* msg.go OpcodeToString; there is no 3 */
static const mnemonic_t opcodes[] = {
	{ 0, "QUERY" }, { 1, "IQUERY" }, { 2, "STATUS" }, { 4, "NOTIFY" }, { 5, "UPDATE" },
};

static const char *by_code(const mnemonic_t *t, size_t n, unsigned code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

static bool by_name(const mnemonic_t *t, size_t n, const char *s, uint16_t *code)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].name, s) == 0) {
			*code = t[i].code;
			return true;
		}
	}
	return false;
}

const char *dnstab_type_name(uint16_t type)
{
	return by_code(types, COUNT(types), type);
}

bool dnstab_type_from_name(const char *s, uint16_t *type)
{
	return by_name(types, COUNT(types), s, type);
}

const char *dnstab_class_name(uint16_t rclass)
{
	return by_code(classes, COUNT(classes), rclass);
}

bool dnstab_class_from_name(const char *s, uint16_t *rclass)
{
	return by_name(classes, COUNT(classes), s, rclass);
}

const char *dnstab_rcode_name(uint16_t rcode)
{
	return by_code(rcodes, COUNT(rcodes), rcode);
}

bool dnstab_rcode_from_name(const char *s, uint16_t *rcode)
{
	/* msg.go StringToRcode = reverseInt(RcodeToString) plus the legacy "NOTIMPL" */
	if (s && strcmp(s, "NOTIMPL") == 0) {
		*rcode = 4;
		return true;
	}
	return by_name(rcodes, COUNT(rcodes), s, rcode);
}

const char *dnstab_opcode_name(uint8_t opcode)
{
	return by_code(opcodes, COUNT(opcodes), opcode);
}
