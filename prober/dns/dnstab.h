/* dnstab -- DNS mnemonics (types, classes, rcodes, opcodes) exactly as miekg/dns 1.1.50 names them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* RR types by their miekg mnemonic (ztypes.go), for code that means one type: `case DNS_TYPE_AAAA:`. */
enum dns_type {
	DNS_TYPE_NONE = 0,
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_MD = 3,
	DNS_TYPE_MF = 4,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_MB = 7,
	DNS_TYPE_MG = 8,
	DNS_TYPE_MR = 9,
	DNS_TYPE_NULL = 10,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_HINFO = 13,
	DNS_TYPE_MINFO = 14,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_RP = 17,
	DNS_TYPE_AFSDB = 18,
	DNS_TYPE_X25 = 19,
	DNS_TYPE_ISDN = 20,
	DNS_TYPE_RT = 21,
	DNS_TYPE_NSAP_PTR = 23,
	DNS_TYPE_SIG = 24,
	DNS_TYPE_KEY = 25,
	DNS_TYPE_PX = 26,
	DNS_TYPE_GPOS = 27,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_LOC = 29,
	DNS_TYPE_NXT = 30,
	DNS_TYPE_EID = 31,
	DNS_TYPE_NIMLOC = 32,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_ATMA = 34,
	DNS_TYPE_NAPTR = 35,
	DNS_TYPE_KX = 36,
	DNS_TYPE_CERT = 37,
	DNS_TYPE_DNAME = 39,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_APL = 42,
	DNS_TYPE_DS = 43,
	DNS_TYPE_SSHFP = 44,
	DNS_TYPE_RRSIG = 46,
	DNS_TYPE_NSEC = 47,
	DNS_TYPE_DNSKEY = 48,
	DNS_TYPE_DHCID = 49,
	DNS_TYPE_NSEC3 = 50,
	DNS_TYPE_NSEC3PARAM = 51,
	DNS_TYPE_TLSA = 52,
	DNS_TYPE_SMIMEA = 53,
	DNS_TYPE_HIP = 55,
	DNS_TYPE_NINFO = 56,
	DNS_TYPE_RKEY = 57,
	DNS_TYPE_TALINK = 58,
	DNS_TYPE_CDS = 59,
	DNS_TYPE_CDNSKEY = 60,
	DNS_TYPE_OPENPGPKEY = 61,
	DNS_TYPE_CSYNC = 62,
	DNS_TYPE_ZONEMD = 63,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_SPF = 99,
	DNS_TYPE_UINFO = 100,
	DNS_TYPE_UID = 101,
	DNS_TYPE_GID = 102,
	DNS_TYPE_UNSPEC = 103,
	DNS_TYPE_NID = 104,
	DNS_TYPE_L32 = 105,
	DNS_TYPE_L64 = 106,
	DNS_TYPE_LP = 107,
	DNS_TYPE_EUI48 = 108,
	DNS_TYPE_EUI64 = 109,
	DNS_TYPE_TKEY = 249,
	DNS_TYPE_TSIG = 250,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_MAILB = 253,
	DNS_TYPE_MAILA = 254,
	DNS_TYPE_ANY = 255,
	DNS_TYPE_URI = 256,
	DNS_TYPE_CAA = 257,
	DNS_TYPE_AVC = 258,
	DNS_TYPE_TA = 32768,
	DNS_TYPE_DLV = 32769,
	DNS_TYPE_RESERVED = 65535,
};

/* miekg TypeToString: the mnemonic, or NULL if the type has none. */
const char *dnstab_type_name(uint16_t type);
/* miekg StringToType: exact, case-sensitive ("A", "NSAP-PTR", "None", "Reserved"; not "a", not
 * "TYPE65280"). Returns true and sets *type if known. */
bool dnstab_type_from_name(const char *s, uint16_t *type);

/* miekg ClassToString: "IN", "CS", "CH", "HS", "NONE", "ANY"; NULL otherwise. */
const char *dnstab_class_name(uint16_t rclass);
/* miekg StringToClass: exactly IN CS CH HS NONE ANY. */
bool dnstab_class_from_name(const char *s, uint16_t *rclass);

/* miekg RcodeToString (1.1.50): the name, or NULL (e.g. 11, 12..15). 4 is "NOTIMP". */
const char *dnstab_rcode_name(uint16_t rcode);
/* miekg StringToRcode (1.1.50): case-sensitive, includes the alias "NOTIMPL" (4); "BADVERS" is not
 * a key (16 is only "BADSIG"). */
bool dnstab_rcode_from_name(const char *s, uint16_t *rcode);

/* miekg OpcodeToString: "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE"; NULL otherwise. */
const char *dnstab_opcode_name(uint8_t opcode);
