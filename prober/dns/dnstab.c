/* dnstab -- DNS mnemonics exactly as miekg/dns 1.1.50 names them (ztypes.go, msg.go). */
#include "dns/dnstab.h"

#include <stddef.h>
#include <string.h>

typedef struct mnemonic {
	uint16_t code;
	const char *name;
} mnemonic_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ztypes.go TypeToString (84 entries, numbered in dnstab.h); StringToType is its reverse. */
static const mnemonic_t types[] = {
	{ DNS_TYPE_NONE, "None" },
	{ DNS_TYPE_A, "A" },
	{ DNS_TYPE_NS, "NS" },
	{ DNS_TYPE_MD, "MD" },
	{ DNS_TYPE_MF, "MF" },
	{ DNS_TYPE_CNAME, "CNAME" },
	{ DNS_TYPE_SOA, "SOA" },
	{ DNS_TYPE_MB, "MB" },
	{ DNS_TYPE_MG, "MG" },
	{ DNS_TYPE_MR, "MR" },
	{ DNS_TYPE_NULL, "NULL" },
	{ DNS_TYPE_PTR, "PTR" },
	{ DNS_TYPE_HINFO, "HINFO" },
	{ DNS_TYPE_MINFO, "MINFO" },
	{ DNS_TYPE_MX, "MX" },
	{ DNS_TYPE_TXT, "TXT" },
	{ DNS_TYPE_RP, "RP" },
	{ DNS_TYPE_AFSDB, "AFSDB" },
	{ DNS_TYPE_X25, "X25" },
	{ DNS_TYPE_ISDN, "ISDN" },
	{ DNS_TYPE_RT, "RT" },
	{ DNS_TYPE_NSAP_PTR, "NSAP-PTR" },
	{ DNS_TYPE_SIG, "SIG" },
	{ DNS_TYPE_KEY, "KEY" },
	{ DNS_TYPE_PX, "PX" },
	{ DNS_TYPE_GPOS, "GPOS" },
	{ DNS_TYPE_AAAA, "AAAA" },
	{ DNS_TYPE_LOC, "LOC" },
	{ DNS_TYPE_NXT, "NXT" },
	{ DNS_TYPE_EID, "EID" },
	{ DNS_TYPE_NIMLOC, "NIMLOC" },
	{ DNS_TYPE_SRV, "SRV" },
	{ DNS_TYPE_ATMA, "ATMA" },
	{ DNS_TYPE_NAPTR, "NAPTR" },
	{ DNS_TYPE_KX, "KX" },
	{ DNS_TYPE_CERT, "CERT" },
	{ DNS_TYPE_DNAME, "DNAME" },
	{ DNS_TYPE_OPT, "OPT" },
	{ DNS_TYPE_APL, "APL" },
	{ DNS_TYPE_DS, "DS" },
	{ DNS_TYPE_SSHFP, "SSHFP" },
	{ DNS_TYPE_RRSIG, "RRSIG" },
	{ DNS_TYPE_NSEC, "NSEC" },
	{ DNS_TYPE_DNSKEY, "DNSKEY" },
	{ DNS_TYPE_DHCID, "DHCID" },
	{ DNS_TYPE_NSEC3, "NSEC3" },
	{ DNS_TYPE_NSEC3PARAM, "NSEC3PARAM" },
	{ DNS_TYPE_TLSA, "TLSA" },
	{ DNS_TYPE_SMIMEA, "SMIMEA" },
	{ DNS_TYPE_HIP, "HIP" },
	{ DNS_TYPE_NINFO, "NINFO" },
	{ DNS_TYPE_RKEY, "RKEY" },
	{ DNS_TYPE_TALINK, "TALINK" },
	{ DNS_TYPE_CDS, "CDS" },
	{ DNS_TYPE_CDNSKEY, "CDNSKEY" },
	{ DNS_TYPE_OPENPGPKEY, "OPENPGPKEY" },
	{ DNS_TYPE_CSYNC, "CSYNC" },
	{ DNS_TYPE_ZONEMD, "ZONEMD" },
	{ DNS_TYPE_SVCB, "SVCB" },
	{ DNS_TYPE_HTTPS, "HTTPS" },
	{ DNS_TYPE_SPF, "SPF" },
	{ DNS_TYPE_UINFO, "UINFO" },
	{ DNS_TYPE_UID, "UID" },
	{ DNS_TYPE_GID, "GID" },
	{ DNS_TYPE_UNSPEC, "UNSPEC" },
	{ DNS_TYPE_NID, "NID" },
	{ DNS_TYPE_L32, "L32" },
	{ DNS_TYPE_L64, "L64" },
	{ DNS_TYPE_LP, "LP" },
	{ DNS_TYPE_EUI48, "EUI48" },
	{ DNS_TYPE_EUI64, "EUI64" },
	{ DNS_TYPE_TKEY, "TKEY" },
	{ DNS_TYPE_TSIG, "TSIG" },
	{ DNS_TYPE_IXFR, "IXFR" },
	{ DNS_TYPE_AXFR, "AXFR" },
	{ DNS_TYPE_MAILB, "MAILB" },
	{ DNS_TYPE_MAILA, "MAILA" },
	{ DNS_TYPE_ANY, "ANY" },
	{ DNS_TYPE_URI, "URI" },
	{ DNS_TYPE_CAA, "CAA" },
	{ DNS_TYPE_AVC, "AVC" },
	{ DNS_TYPE_TA, "TA" },
	{ DNS_TYPE_DLV, "DLV" },
	{ DNS_TYPE_RESERVED, "Reserved" },
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
