/* config -- blackbox.yml into an immutable, reference-counted snapshot.
 *
 * One parse, one walk (reference/peers-and-libs.md B.3 says why not libcyaml; schema.c too):
 *  - yamldepth refuses nesting past yaml.v3's limit before libyaml builds the document, so nothing
 *    after sees more; yamlalias replays yaml.v3's alias rules before anything follows an alias;
 *  - libyaml loads the first document; decode walks it once against the schema tables, as yaml.v3
 *    decodes it into blackbox_exporter 0.23's types (strict keys, yaml.v3 scalars, `<<` merges
 *    resolved on the document, load-time validation), landing the DNS values in the snapshot;
 *  - here: what the prober derives from them (type and class numbers, EDNS implied by DNSSEC), the
 *    debug dumps, and the DoT credentials. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_dump.h"
#include "config/decode.h"
#include "config/schema.h"
#include "config/tlscreds.h"
#include "config/yamldoc.h"
#include "config/yamlfile.h"
#include "dns/dnstab.h"
#include "dns/ds.h"
#include "dns/target.h"
#include "lib/buf.h"
#include "lib/errors.h"

/* ---- building the snapshot ---- */

bool config_ds_from(config_dns_t *d)
{
	const char *s = d->dnssec_ds_from;
	d->ds_from_resolver = s && strcmp(s, "resolver") == 0;
	if (!s || d->ds_from_resolver)
		return true;
	char host[256], port[64];
	uint16_t p = 0;
	if (target_split(s, "53", host, sizeof host, port, sizeof port) != 0 ||
	    !target_parse_ip(host, &d->ds_from_ip) || target_port(port, false, &p) != 0 || p == 0)
		return false;
	d->ds_from_port = p;
	return true;
}

/* What prober/dns.go derives from a module's DNS keys at probe time, and nsprobe's dnssec.ds and
 * ds_from read, done once here (decode's rules have checked they read). Returns 0 or NSP_ENOMEM. */
static int derive_dns(config_dns_t *d)
{
	d->query_type = 255;   /* dns.TypeANY, prober/dns.go */
	d->query_class = 1;    /* dns.ClassINET */
	if (d->query_type_name && d->query_type_name[0])
		dnstab_type_from_name(d->query_type_name, &d->query_type);
	if (d->query_class_name && d->query_class_name[0])
		dnstab_class_from_name(d->query_class_name, &d->query_class);
	/* nsprobe's extensions: an edns: block, or dnssec.validate, sends an OPT record */
	if (d->edns || d->dnssec_validate) {
		d->edns = true;
		if (!d->edns_udp_size)
			d->edns_udp_size = 1232;    /* the DNS flag day 2020 size */
		if (d->dnssec_validate)
			d->edns_do = true;          /* dnssec: implies the DO bit */
	}
	d->extensions = d->edns || d->tcp_on_truncation;
	config_ds_from(d);
	if (d->dnssec_ds.n && !(d->ds = calloc(d->dnssec_ds.n, sizeof *d->ds)))
		return NSP_ENOMEM;
	for (size_t i = 0; i < d->dnssec_ds.n; i++) {
		const char *why;
		if (ds_parse(d->dnssec_ds.v[i], &d->ds[d->n_ds], &why) == 0)
			d->n_ds++;
	}
	return 0;
}

/* The DoT modules' credentials, read here (start-up or the reload thread) and never on a loop.
 * blackbox reads them per probe and fails the probe, so a bad file is kept in the credentials as
 * their error, not reported as a load error. Modules naming the same files share one set. */
static int build_tls_creds(config_t *cfg)
{
	for (size_t i = 0; i < cfg->n_modules; i++) {
		config_dns_t *d = &cfg->modules[i].dns;
		if (!d->dns_over_tls)
			continue;
		const config_tls_t *t = &d->tls_config;
		tlscreds_files_t f = { .ca_file = t->ca_file, .cert_file = t->cert_file, .key_file = t->key_file,
		                       .min_version = t->min_version, .max_version = t->max_version };
		for (size_t j = 0; j < i && !d->tls_creds; j++) {
			tlscreds_t *o = cfg->modules[j].dns.tls_creds;
			if (o && tlscreds_same(o, &f))
				d->tls_creds = tlscreds_ref(o);
		}
		if (!d->tls_creds && tlscreds_new(&f, &d->tls_creds) != 0)
			return NSP_ENOMEM;
	}
	return 0;
}

static void config_free(config_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_modules; i++) {
		config_module_t *m = &c->modules[i];
		free(m->name);
		free(m->debug_yaml);
		decode_free(&schema_module, m);
		free(m->dns.ds);
		tlscreds_unref(m->dns.tls_creds);
	}
	free(c->modules);
	free(c->path);
	free(c);
}

static int load_doc(config_t *cfg, yamldoc_t *chk, char *err, size_t errlen)
{
	yaml_node_t *root = yaml_document_get_root_node(chk->doc);
	if (!root) {
		snprintf(err, errlen, "error parsing config file: %s: EOF", cfg->path);
		return NSP_ECONFIG;
	}
	yaml_node_t **nodes = NULL;
	if (!decode_document(chk, root, cfg, &nodes)) {
		free(nodes);
		return chk->oom ? NSP_ENOMEM : NSP_ECONFIG;
	}
	int rc = 0;
	for (size_t i = 0; !rc && i < cfg->n_modules; i++) {
		config_module_t *mod = &cfg->modules[i];
		rc = derive_dns(&mod->dns);
		if (!rc && !(mod->debug_yaml = config_dump_module(chk, nodes[i])))
			rc = NSP_ENOMEM;
	}
	free(nodes);
	if (!rc)
		rc = build_tls_creds(cfg);
	return rc;
}

int config_load_text(const char *name, const char *text, size_t len, config_t **out, char *err,
                     size_t errlen)
{
	char dummy[1];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	*out = NULL;
	config_t *cfg = calloc(1, sizeof *cfg);
	if (!cfg || !(cfg->path = strdup(name))) {
		config_free(cfg);
		snprintf(err, errlen, "error parsing config file: %s: out of memory", name);
		return NSP_ENOMEM;
	}
	atomic_init(&cfg->refs, 1);

	/* the depth limit, libyaml's loader, yaml.v3's alias rules: nothing after recurses or follows an
	 * alias without a bound */
	yamldoc_t chk = { .path = name, .err = err, .errlen = errlen };
	yamlfile_problem_t pr;
	int rc = 0;
	switch (yamlfile_load(&chk, text, len, YAMLFILE_V3, &pr)) {
	case YAMLFILE_OK:
		rc = load_doc(cfg, &chk, err, errlen);
		break;
	case YAMLFILE_NOMEM:
		rc = NSP_ENOMEM;
		break;
	default:
		if (pr.line)
			snprintf(err, errlen, "error parsing config file: %s:%zu:%zu: yaml: %s", name, pr.line, pr.column,
			         pr.text[0] ? pr.text : "syntax error");
		else
			snprintf(err, errlen, "error parsing config file: %s: yaml: %s", name, pr.text);
		rc = NSP_ECONFIG;
		break;
	}
	yamlfile_unload(&chk);
	if (rc) {
		if (rc == NSP_ENOMEM && !err[0])
			snprintf(err, errlen, "error parsing config file: %s: out of memory", name);
		config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, config_t **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		/* Go's os.Open error text */
		int e = errno;
		char msg[128];
		nsp_errno_text(e, msg, sizeof msg);
		snprintf(err, errlen, "error reading config file: open %s: %s", path, msg);
		return NSP_ECONFIG;
	}
	buf_t b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	bool rerr = ferror(f);
	int e = errno;
	fclose(f);
	if (rerr) {
		buf_free(&b);
		snprintf(err, errlen, "error parsing config file: read %s: %s", path, strerror(e));
		return NSP_ECONFIG;
	}
	if (!buf_ok(&b)) {
		buf_free(&b);
		snprintf(err, errlen, "error parsing config file: %s: out of memory", path);
		return NSP_ENOMEM;
	}
	int rc = config_load_text(path, buf_str(&b), b.len, out, err, errlen);
	buf_free(&b);
	return rc;
}

const config_module_t *config_module_get(const config_t *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_modules; i++)
		if (strcmp(c->modules[i].name, name) == 0)
			return &c->modules[i];
	return NULL;
}

config_t *config_ref(config_t *c)
{
	if (c)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void config_unref(config_t *c)
{
	if (c && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		config_free(c);
}

