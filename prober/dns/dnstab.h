/* dnstab -- DNS mnemonics (types, classes, rcodes, opcodes) exactly as miekg/dns 1.1.50 names them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

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
