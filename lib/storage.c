/* storage.c - card images and source art: names, URLs, and the three backends. */
#include "storage.h"

#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum pd_result pd_storage_card_name(const char *public_id, int revision, char *out, size_t outlen)
{
  char rev[16] = "";
  size_t n = strlen(public_id);
  if (revision > 1)
    snprintf(rev, sizeof(rev), "-r%d", revision);
  if (n == 0 || n + strlen(rev) + 5 > outlen)
    return PD_E_INVALID;
  for (size_t i = 0; i < n; i++)
    out[i] = public_id[i] == '#' ? '-' : public_id[i];
  snprintf(out + n, outlen - n, "%s.png", rev);
  return pd_storage_name_ok(out) ? PD_OK : PD_E_INVALID;
}

void pd_storage_card_url(const struct pd_config *c, const char *name, char *out, size_t outlen)
{
  if (c->storage == PD_STORAGE_DISCORD)
    snprintf(out, outlen, "attachment://%s", name);
  else if (c->storage == PD_STORAGE_S3 && c->cdn_url != NULL)
    snprintf(out, outlen, "%s/%s", c->cdn_url, name);
  else if (c->storage == PD_STORAGE_S3)
    snprintf(out, outlen, "%s/%s/%s", c->s3_endpoint, c->s3_bucket, name);
  else if (c->public_base_url != NULL)
    snprintf(out, outlen, "%s/cards/%s", c->public_base_url, name);
  else
    snprintf(out, outlen, "http://%s:%d/cards/%s", c->listen_host, c->listen_port, name);
}

const char *pd_storage_attachment_name(const char *url)
{
  static const char scheme[] = "attachment://";
  if (url == NULL || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
    return NULL;
  return pd_storage_name_ok(url + sizeof(scheme) - 1) ? url + sizeof(scheme) - 1 : NULL;
}

bool pd_storage_name_ok(const char *name)
{
  size_t n = strlen(name);
  if (n < 5 || n > 68 || strcmp(name + n - 4, ".png") != 0)
    return false;
  for (size_t i = 0; i < n - 4; i++) {
    char c = name[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

static enum pd_result mkdirs(const char *dir)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s", dir);
  for (char *p = path + 1; *p != '\0'; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return PD_E_IO;
    *p = '/';
  }
  return mkdir(path, 0755) == 0 || errno == EEXIST ? PD_OK : PD_E_IO;
}

enum pd_result pd_storage_local_put(const char *dir, const char *name, const void *data, size_t len)
{
  char path[1024], tmp[1100];
  if (!pd_storage_name_ok(name) || mkdirs(dir) != PD_OK)
    return PD_E_IO;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return PD_E_IO;
  bool ok = write(fd, data, len) == (ssize_t)len;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return PD_E_IO;
  }
  return PD_OK;
}

enum pd_result pd_storage_local_get(const char *dir, const char *name, size_t max, void **data,
                                    size_t *len)
{
  char path[1024];
  struct stat st;
  if (!pd_storage_name_ok(name))
    return PD_E_NOTFOUND;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT || errno == ELOOP ? PD_E_NOTFOUND : PD_E_IO;
  enum pd_result rc = PD_E_IO;
  char *buf = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    goto out;
  if ((size_t)st.st_size > max) {
    rc = PD_E_TOOBIG;
    goto out;
  }
  buf = malloc((size_t)st.st_size + 1);
  if (buf == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  if (read(fd, buf, (size_t)st.st_size) != (ssize_t)st.st_size)
    goto out;
  *data = buf;
  *len = (size_t)st.st_size;
  buf = NULL;
  rc = PD_OK;
out:
  free(buf);
  close(fd);
  return rc;
}

enum pd_result pd_storage_put(const struct pd_config *c, const char *name, const void *data,
                              size_t len, char *err, size_t errlen)
{
  char dir[1024];
  const char *file = name;
  bool art = strncmp(name, "art/", 4) == 0;
  if (art)
    file = name + 4;
  if (!pd_storage_name_ok(file)) {
    snprintf(err, errlen, "not a storable name: %s", name);
    return PD_E_INVALID;
  }
  if (c->storage == PD_STORAGE_S3) {
    struct pd_s3 s3 = {c->s3_endpoint, c->s3_region, c->s3_bucket, c->s3_key, c->s3_secret};
    long status = 0;
    return pd_s3_put(&s3, name, data, len, "image/png", &status, err, errlen);
  }
  snprintf(dir, sizeof(dir), "%s%s", c->cards_dir, art ? "/art" : "");
  enum pd_result rc = pd_storage_local_put(dir, file, data, len);
  if (rc != PD_OK)
    snprintf(err, errlen, "cannot write %s/%s: %s", dir, file, strerror(errno));
  return rc;
}
