/* images.c - a local image host for ingestion tests: real PNG, JPEG and WebP files served under
 * wrong Content-Types, a too-small image, garbage, a corrupt PNG, redirect chains, an oversize
 * body, a slow answer and a 404.  Any other path that looks like a photo (under /wikipedia/ or
 * /image/, or ending in .jpg) is a JPEG drawn from the path, so each URL is a different picture
 * (different pHash) and the same URL always the same one, 1200x900 (640x640 under /image/, the
 * size Spotify's CDN serves at most); ?w=, ?h= resize it and ?delay_ms=N holds it back.
 * Decompression bombs, each a small file whose header declares 20000x20000 pixels:
 * /bomb.png (about 1 MB of IDAT that inflates to the first 4000 rows, then cut off),
 * /bomb.jpg (a 64x64 JPEG whose frame header says 20000x20000; libjpeg pads the missing
 * scan data) and /bomb.webp (an animated WebP's 20000x20000 canvas and nothing else).
 * GET /goto?u=URL redirects (302) to URL, for the redirect policy's tests.
 * GET /_stats gives {"requests", "max_in_flight"}; POST /_stats/reset clears them.
 * With --tls-cert and --tls-key (PEM files), the same routes are also served over https on
 * 127.0.0.1 and 127.0.0.2, one port for both, printed first as "https on 127.0.0.1:PORT".
 *   double-images --port N [--tls-cert FILE --tls-key FILE]   (prints "listening on
 * 127.0.0.1:PORT") */
#include <arpa/inet.h>
#include <gd.h>
#include <microhttpd.h>
#include <png.h>

#include "serve.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

struct file {
  const char *path, *ctype;
  void *data;
  int len;
};
static struct file files[6];

static void *image(int w, int h, const char *type, int *len)
{
  gdImagePtr im = gdImageCreateTrueColor(w, h);
  for (int y = 0; y < h; y += 8)
    gdImageFilledRectangle(im, 0, y, w - 1, y + 7,
                           gdImageColorAllocate(im, y % 256, (y * 3) % 256, 128));
  void *p = strcmp(type, "png") == 0    ? gdImagePngPtr(im, len)
            : strcmp(type, "jpeg") == 0 ? gdImageJpegPtr(im, len, 85)
                                        : gdImageWebpPtr(im, len);
  gdImageDestroy(im);
  return p;
}

static enum MHD_Result send_buf(struct MHD_Connection *c, int status, const char *ctype,
                                const void *d, size_t n, const char *location)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)d, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, "Content-Type", ctype);
  if (location != NULL)
    MHD_add_response_header(r, "Location", location);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

#define BOMB_SIDE 20000
#define BOMB_PNG_ROWS 4000

struct bomb {
  unsigned char *p;
  size_t len;
};
static struct bomb bomb_png, bomb_jpg, bomb_webp;
static pthread_once_t bomb_png_once = PTHREAD_ONCE_INIT;

static void bomb_add(struct bomb *b, const void *d, size_t n)
{
  unsigned char *g = realloc(b->p, b->len + n);
  if (g == NULL)
    return;
  memcpy(g + b->len, d, n);
  b->p = g;
  b->len += n;
}

static void png_to_bomb(png_structp png, png_bytep d, png_size_t n)
{
  bomb_add(png_get_io_ptr(png), d, n);
}

static void png_no_flush(png_structp png)
{
}

/* libpng's writer, stopped after BOMB_PNG_ROWS rows of zeros (made on first request: it
 * deflates 240 MB). */
static void make_bomb_png(void)
{
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  unsigned char *row = calloc(1, BOMB_SIDE * 3);
  if (png == NULL || info == NULL || row == NULL)
    goto out;
  if (setjmp(png_jmpbuf(png)))
    goto out;
  png_set_write_fn(png, &bomb_png, png_to_bomb, png_no_flush);
  png_set_compression_level(png, 1);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_set_IHDR(png, info, BOMB_SIDE, BOMB_SIDE, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int i = 0; i < BOMB_PNG_ROWS; i++)
    png_write_row(png, row);
out:
  png_destroy_write_struct(&png, &info);
  free(row);
}

/* A real 64x64 JPEG whose SOF0 is rewritten to declare BOMB_SIDE x BOMB_SIDE. */
static void make_bomb_jpg(void)
{
  gdImagePtr im = gdImageCreateTrueColor(64, 64);
  int len = 0;
  unsigned char *p = gdImageJpegPtr(im, &len, 85);
  gdImageDestroy(im);
  for (int i = 2; p != NULL && i + 9 < len; i++) {
    if (p[i] == 0xFF && p[i + 1] == 0xC0) {
      p[i + 5] = p[i + 7] = BOMB_SIDE >> 8;
      p[i + 6] = p[i + 8] = BOMB_SIDE & 0xFF;
      bomb_add(&bomb_jpg, p, (size_t)len);
      break;
    }
  }
  gdFree(p);
}

/* RIFF/WEBP with one VP8X chunk: the animation flag and a 24-bit canvas of BOMB_SIDE - 1. */
static void make_bomb_webp(void)
{
  unsigned char f[30] = "RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\x02";
  unsigned v = BOMB_SIDE - 1;
  for (int i = 0; i < 3; i++)
    f[24 + i] = f[27 + i] = (unsigned char)(v >> (8 * i));
  bomb_add(&bomb_webp, f, sizeof(f));
}

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static int in_flight, max_in_flight, requests;

/* A 1200x900 (or ?w= ?h=) JPEG of an 8x6 grid of blocks whose shades come from the path. */
static enum MHD_Result generated_photo(struct MHD_Connection *c, const char *url)
{
  const char *ws = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "w");
  const char *hs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "h");
  const char *ds = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "delay_ms");
  /* Spotify's image CDN (/image/...) serves 640x640 at most; other photos are 1200x900. */
  bool spotify = strncmp(url, "/image/", 7) == 0;
  long w = ws != NULL ? strtol(ws, NULL, 10)
           : spotify  ? 640
                      : 1200,
       h = hs != NULL ? strtol(hs, NULL, 10)
           : spotify  ? 640
                      : 900;
  if (w < 16 || w > 4000 || h < 16 || h > 4000)
    return send_buf(c, 400, "text/plain", "bad size", 8, NULL);
  pthread_mutex_lock(&stats_lock);
  requests++;
  if (++in_flight > max_in_flight)
    max_in_flight = in_flight;
  pthread_mutex_unlock(&stats_lock);
  if (ds != NULL)
    usleep((useconds_t)strtoul(ds, NULL, 10) * 1000);
  uint32_t x = 2166136261u; /* FNV-1a of the path seeds the shades */
  for (const char *p = url; *p != '\0'; p++)
    x = (x ^ (unsigned char)*p) * 16777619u;
  gdImagePtr im = gdImageCreateTrueColor((int)w, (int)h);
  for (int by = 0; by < 6; by++) {
    for (int bx = 0; bx < 8; bx++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      int v = (int)(x % 256);
      gdImageFilledRectangle(im, bx * w / 8, by * h / 6, (bx + 1) * w / 8 - 1, (by + 1) * h / 6 - 1,
                             gdImageColorAllocate(im, v, (v * 7) % 256, 255 - v));
    }
  }
  int len = 0;
  void *jpg = gdImageJpegPtr(im, &len, 85);
  gdImageDestroy(im);
  enum MHD_Result ok = send_buf(c, 200, "image/jpeg", jpg, (size_t)len, NULL);
  gdFree(jpg);
  pthread_mutex_lock(&stats_lock);
  in_flight--;
  pthread_mutex_unlock(&stats_lock);
  return ok;
}

static bool looks_like_photo(const char *url)
{
  size_t n = strlen(url);
  return strncmp(url, "/wikipedia/", 11) == 0 || strncmp(url, "/image/", 7) == 0 ||
         (n > 4 && strcmp(url + n - 4, ".jpg") == 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  if (strcmp(url, "/_stats") == 0 || strcmp(url, "/_stats/reset") == 0) {
    char body[128];
    pthread_mutex_lock(&stats_lock);
    if (strcmp(url, "/_stats/reset") == 0)
      requests = max_in_flight = 0;
    int n = snprintf(body, sizeof(body), "{\"requests\":%d,\"max_in_flight\":%d}", requests,
                     max_in_flight);
    pthread_mutex_unlock(&stats_lock);
    return send_buf(c, 200, "application/json", body, (size_t)n, NULL);
  }
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
    if (files[i].path != NULL && strcmp(url, files[i].path) == 0)
      return send_buf(c, 200, files[i].ctype, files[i].data, (size_t)files[i].len, NULL);
  /* Cover Art Archive's shape: /release-group/<mbid>/front-1200.  Two albums have a usable
   * cover, one a too-small one; any other answers 404 as the archive does. */
  if (strncmp(url, "/release-group/", 15) == 0) {
    if (strstr(url, "0b7b1b3a0001/front-1200") != NULL)
      return send_buf(c, 200, "image/jpeg", files[1].data, (size_t)files[1].len, NULL);
    if (strstr(url, "0b7b1b3a0003/front-1200") != NULL)
      return generated_photo(c, url);
    if (strstr(url, "0b7b1b3a0002/front-1200") != NULL)
      return send_buf(c, 200, "image/png", files[3].data, (size_t)files[3].len, NULL);
    return send_buf(c, 404, "text/plain", "Not Found", 9, NULL);
  }
  if (strcmp(url, "/bomb.png") == 0) {
    pthread_once(&bomb_png_once, make_bomb_png);
    return send_buf(c, 200, "image/png", bomb_png.p, bomb_png.len, NULL);
  }
  if (strcmp(url, "/bomb.jpg") == 0)
    return send_buf(c, 200, "image/jpeg", bomb_jpg.p, bomb_jpg.len, NULL);
  if (strcmp(url, "/bomb.webp") == 0)
    return send_buf(c, 200, "image/webp", bomb_webp.p, bomb_webp.len, NULL);
  if (strcmp(url, "/goto") == 0) {
    const char *to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "u");
    return send_buf(c, to != NULL ? 302 : 400, "text/plain", "", 0, to);
  }
  if (strncmp(url, "/redirect/", 10) == 0) {
    long n = strtol(url + 10, NULL, 10);
    char next[64];
    if (n <= 0)
      snprintf(next, sizeof(next), "/photo.png");
    else
      snprintf(next, sizeof(next), "/redirect/%ld", n - 1);
    return send_buf(c, 302, "text/plain", "", 0, next);
  }
  if (strcmp(url, "/big.png") == 0) {
    size_t n = 3 * 1024 * 1024;
    char *big = calloc(1, n);
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    enum MHD_Result ok = send_buf(c, 200, "image/png", big, n, NULL);
    free(big);
    return ok;
  }
  if (strcmp(url, "/slow.png") == 0) {
    sleep(3);
    return send_buf(c, 200, "image/png", files[0].data, (size_t)files[0].len, NULL);
  }
  if (looks_like_photo(url))
    return generated_photo(c, url);
  return send_buf(c, 404, "text/plain", "not found", 9, NULL);
}

static char *read_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n = 0;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = calloc(1, (size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (f != NULL)
    fclose(f);
  return buf;
}

/* An https daemon on ip:port (0 = any) with the same routes. */
static struct MHD_Daemon *start_tls(const char *ip, unsigned port, const char *key,
                                    const char *cert)
{
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, ip, &addr.sin_addr);
  return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                              MHD_USE_TLS | MHD_USE_ERROR_LOG,
                          0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                          MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                          MHD_OPTION_END);
}

int main(int argc, char **argv)
{
  const char *cert_path = NULL, *key_path = NULL;
  if (argc != 3 && argc != 7) {
    fprintf(stderr, "usage: double-images --port N [--tls-cert FILE --tls-key FILE]\n");
    return 2;
  }
  for (int i = 3; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--tls-cert") == 0)
      cert_path = argv[i + 1];
    else if (strcmp(argv[i], "--tls-key") == 0)
      key_path = argv[i + 1];
  }
  if (strcmp(argv[1], "--port") != 0 || (argc == 7 && (cert_path == NULL || key_path == NULL))) {
    fprintf(stderr, "usage: double-images --port N [--tls-cert FILE --tls-key FILE]\n");
    return 2;
  }
  long port = strtol(argv[2], NULL, 10);
  files[0] = (struct file){"/photo.png", "text/html", NULL, 0};
  files[0].data = image(1000, 700, "png", &files[0].len);
  files[1] = (struct file){"/photo.jpg", "image/png", NULL, 0};
  files[1].data = image(900, 600, "jpeg", &files[1].len);
  files[2] = (struct file){"/photo.webp", "application/octet-stream", NULL, 0};
  files[2].data = image(1200, 800, "webp", &files[2].len);
  files[3] = (struct file){"/small.png", "image/png", NULL, 0};
  files[3].data = image(400, 300, "png", &files[3].len);
  static char garbage[] = "<html><body>not an image</body></html>";
  files[4] = (struct file){"/garbage.png", "image/png", garbage, (int)sizeof(garbage) - 1};
  static char corrupt[64] = "\x89PNG\r\n\x1a\n this is not the rest of a PNG file";
  files[5] = (struct file){"/corrupt.png", "image/png", corrupt, (int)sizeof(corrupt)};

  make_bomb_jpg();
  make_bomb_webp();

  /* The https daemons' threads must not take SIGTERM: pd_double_serve waits for it. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct MHD_Daemon *tls = NULL, *tls2 = NULL;
  char *cert = NULL, *key = NULL;
  if (cert_path != NULL) {
    cert = read_file(cert_path);
    key = read_file(key_path);
    tls = cert != NULL && key != NULL ? start_tls("127.0.0.1", 0, key, cert) : NULL;
    const union MHD_DaemonInfo *di =
        tls != NULL ? MHD_get_daemon_info(tls, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (di == NULL) {
      fprintf(stderr, "cannot serve https with %s and %s\n", cert_path, key_path);
      return 1;
    }
    /* 127.0.0.2 is loopback too but not on the tests' allowlist: a redirect there must be
     * refused by the socket check, not by a missing listener. */
    tls2 = start_tls("127.0.0.2", di->port, key, cert);
    printf("https on 127.0.0.1:%u%s\n", di->port, tls2 != NULL ? " and 127.0.0.2" : "");
    fflush(stdout);
  }

  int rc = pd_double_serve(port, on_request, NULL, NULL);
  if (tls2 != NULL)
    MHD_stop_daemon(tls2);
  if (tls != NULL)
    MHD_stop_daemon(tls);
  free(cert);
  free(key);
  for (int i = 0; i < 4; i++)
    gdFree(files[i].data);
  free(bomb_png.p);
  free(bomb_jpg.p);
  free(bomb_webp.p);
  return rc;
}
