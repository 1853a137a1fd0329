/* tlscreds -- a tls_config's CA, client certificate and key as TLS credentials (lib/tls), read once per
 * snapshot with prometheus/common's error texts (see tlscreds.h). */
#include "config/tlscreds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/errors.h"
#include "lib/tls.h"

#define TLSCREDS_MAX_FILE (16u << 20)    /* a PEM bundle larger than this is not a certificate file */

struct tlscreds {
	atomic_uint refs;
	tls_cred_t *cred;                         /* NULL when error is set */
	char *error;                              /* blackbox's reason, or NULL */
	char *ca_file, *cert_file, *key_file, *min_version, *max_version;   /* as given (NULL: absent) */
};

/* A file's bytes, as read_file returns them (malloc'd). */
typedef struct file_bytes {
	unsigned char *data;
	size_t len;
} file_bytes_t;

/* Go's net/os error texts are the lowercase strerror ("open /x: no such file or directory"). */
static const char *nz(const char *s)
{
	return s && s[0] ? s : NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int tlscreds_version(const char *v)
{
	static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
	for (int i = 0; i < 4; i++)
		if (v && strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* Reads a whole file as os.ReadFile does; on failure writes "open <path>: <reason>" (or read). */
static int read_file(const char *path, file_bytes_t *out, char *err, size_t errlen)
{
	char why[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		nsp_errno_text(errno, why, sizeof(why));
		snprintf(err, errlen, "open %s: %s", path, why);
		return NSP_EINVAL;
	}
	size_t cap = 4096, len = 0;
	unsigned char *p = malloc(cap);
	int rc = NSP_ENOMEM;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= TLSCREDS_MAX_FILE) {
				snprintf(err, errlen, "read %s: file too large", path);
				rc = NSP_EINVAL;
				goto fail;
			}
			unsigned char *q = realloc(p, cap * 2);
			if (!q) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			p = q;
			cap *= 2;
		}
		ssize_t n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			nsp_errno_text(errno, why, sizeof(why));
			snprintf(err, errlen, "read %s: %s", path, why);
			rc = NSP_EINVAL;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	out->data = p;
	out->len = len;
	return 0;
fail:
	free(p);
	close(fd);
	return rc;
}

/* Builds c->cred as NewTLSConfig does, in its order and with its error texts. */
static int build(tlscreds_t *c, char *err, size_t errlen)
{
	const char *ca = c->ca_file, *cert = c->cert_file, *key = c->key_file;
	file_bytes_t d1 = { NULL, 0 }, d2 = { NULL, 0 };
	char why[256];
	int rc = NSP_EINVAL;

	int minv = tlscreds_version(c->min_version), maxv = tlscreds_version(c->max_version);
	if (minv >= 0 && maxv >= 0 && maxv < minv) {
		snprintf(err, errlen, "tls_config.max_version must be greater than or equal to "
		         "tls_config.min_version if both are specified");
		return NSP_EINVAL;
	}
	if (tls_cred_new(&c->cred) != 0)
		return NSP_ENOMEM;
	if (ca) {
		int r = read_file(ca, &d1, why, sizeof(why));
		if (r != 0) {
			rc = r;
			snprintf(err, errlen, "unable to load specified CA cert %s: %s", ca, why);
			goto done;
		}
		if (tls_cred_add_ca(c->cred, d1.data, d1.len) <= 0) {
			snprintf(err, errlen, "unable to use specified CA cert %s", ca);
			goto done;
		}
	} else {
		/* Go falls back to the system pool; an empty one only makes verification fail later. */
		tls_cred_add_system_ca(c->cred);
	}
	if (cert && !key) {
		snprintf(err, errlen, "client cert file \"%s\" specified without client key file", cert);
		goto done;
	}
	if (key && !cert) {
		snprintf(err, errlen, "client key file \"%s\" specified without client cert file", key);
		goto done;
	}
	if (cert) {
		free(d1.data);                  /* the CA file's bytes: now the certificate's */
		d1.data = NULL;
		int r = read_file(cert, &d1, why, sizeof(why));
		if (r == 0)
			r = read_file(key, &d2, why, sizeof(why));
		if (r == 0 && (r = tls_cred_set_key_pair(c->cred, d1.data, d1.len, d2.data, d2.len)) < 0) {
			snprintf(why, sizeof(why), "tls: %s", tls_strerror(r));
			r = NSP_EINVAL;
		}
		if (r != 0) {
			rc = r;
			snprintf(err, errlen, "unable to use specified client cert (%s) & key (%s): %s", cert, key, why);
			goto done;
		}
	}
	rc = 0;
done:
	free(d1.data);
	free(d2.data);
	if (rc != 0) {
		tls_cred_free(c->cred);
		c->cred = NULL;
	}
	return rc;
}

static char *dup_or_null(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static void creds_free(tlscreds_t *c)
{
	if (!c)
		return;
	tls_cred_free(c->cred);
	free(c->error);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->min_version);
	free(c->max_version);
	free(c);
}

int tlscreds_new(const tlscreds_files_t *f, tlscreds_t **out)
{
	*out = NULL;
	bool oom = false;
	tlscreds_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NSP_ENOMEM;
	atomic_init(&c->refs, 1);
	c->ca_file = dup_or_null(nz(f->ca_file), &oom);
	c->cert_file = dup_or_null(nz(f->cert_file), &oom);
	c->key_file = dup_or_null(nz(f->key_file), &oom);
	c->min_version = dup_or_null(nz(f->min_version), &oom);
	c->max_version = dup_or_null(nz(f->max_version), &oom);
	if (oom) {
		creds_free(c);
		return NSP_ENOMEM;
	}
	char err[512];
	int rc = build(c, err, sizeof(err));
	if (rc == NSP_ENOMEM) {
		creds_free(c);
		return NSP_ENOMEM;
	}
	if (rc != 0 && !(c->error = strdup(err))) {
		creds_free(c);
		return NSP_ENOMEM;
	}
	*out = c;
	return 0;
}

const char *tlscreds_error(const tlscreds_t *c)
{
	return c->error;
}

tls_cred_t *tlscreds_cred(const tlscreds_t *c)
{
	return c->cred;
}

bool tlscreds_same(const tlscreds_t *c, const tlscreds_files_t *f)
{
	return str_eq(c->ca_file, nz(f->ca_file)) && str_eq(c->cert_file, nz(f->cert_file)) &&
	       str_eq(c->key_file, nz(f->key_file)) && str_eq(c->min_version, nz(f->min_version)) &&
	       str_eq(c->max_version, nz(f->max_version));
}

tlscreds_t *tlscreds_ref(tlscreds_t *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void tlscreds_unref(tlscreds_t *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		creds_free(c);
}
