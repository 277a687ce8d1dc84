/* storage.c - the local directory backend for card images. */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum pd_result pd_storage_card_name(const char *public_id, char *out, size_t outlen)
{
  size_t n = strlen(public_id);
  if (n == 0 || n + 5 > outlen)
    return PD_E_INVALID;
  for (size_t i = 0; i < n; i++)
    out[i] = public_id[i] == '#' ? '-' : public_id[i];
  memcpy(out + n, ".png", 5);
  return pd_storage_name_ok(out) ? PD_OK : PD_E_INVALID;
}

bool pd_storage_name_ok(const char *name)
{
  size_t n = strlen(name);
  if (n < 5 || n > 68 || strcmp(name + n - 4, ".png") != 0)
    return false;
  for (size_t i = 0; i < n - 4; i++) {
    char c = name[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
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

enum pd_result pd_storage_local_get(const char *dir, const char *name, size_t max, void **data, size_t *len)
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
