/* tool-io.c: input, output and encodings of parsec-glib-tool
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Whatever may hold a secret (key files, plaintext, random bytes, their
 * encodings) lives in buffers that are wiped when freed; buffers are
 * sized up front, because a buffer that grows by reallocation leaves
 * unwiped copies behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "tool.h"

/* Larger inputs are refused where they are read whole: the service takes
 * at most 1 MiB per request. sign and verify read files and standard
 * input as a stream instead (tool_open_input_stream()), of any size. */
#define INPUT_LIMIT (64 * 1024 * 1024)

/* Input */

GBytes *
tool_read_file (const char  *path,
                const char  *what,
                GError     **error)
{
  gboolean is_stdin = path == NULL || g_str_equal (path, "-");
  int fd = is_stdin ? STDIN_FILENO : open (path, O_RDONLY | O_CLOEXEC);
  gsize capacity = 4096, len = 0;
  guint8 *buffer;

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot open %s “%s”: %s",
                   what, path, g_strerror (saved));
      return NULL;
    }

  /* Someone at a terminal may not know that the tool waits for them. */
  if (is_stdin && isatty (STDIN_FILENO))
    g_printerr ("%s: reading %s from the terminal; end it with Ctrl-D on a line of its own\n", TOOL_NAME, what);

  buffer = secure_alloc (capacity);
  for (;;)
    {
      gssize n;

      if (len == capacity)
        {
          guint8 *larger;

          if (capacity >= INPUT_LIMIT)
            {
              g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s is larger than %u MiB",
                           what, INPUT_LIMIT / (1024 * 1024));
              secure_free (buffer);
              if (!is_stdin)
                close (fd);
              return NULL;
            }
          larger = secure_alloc (capacity * 2);
          memcpy (larger, buffer, len);
          secure_free (buffer);
          buffer = larger;
          capacity *= 2;
        }
      n = read (fd, buffer + len, capacity - len);
      if (n == 0)
        break;
      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot read %s: %s", what, g_strerror (saved));
          secure_free (buffer);
          if (!is_stdin)
            close (fd);
          return NULL;
        }
      len += (gsize) n;
    }
  if (!is_stdin)
    close (fd);
  return secure_bytes_take (buffer, len);
}

static gboolean
is_space (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static GBytes *
decode_base64 (const guint8  *text,
               gsize          len,
               const char    *what,
               GError       **error)
{
  gsize n_chars = 0, n_padding = 0, out_len;
  gint state = 0;
  guint save = 0;
  guint8 *clean, *out;

  /* GLib skips what is not base64; refuse it instead of guessing. */
  clean = secure_alloc (len + 1);
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = text[i];

      if (is_space (c))
        continue;
      if (c == '=')
        n_padding++;
      else if (!(g_ascii_isalnum (c) || c == '+' || c == '/') || n_padding > 0)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s is not valid base64", what);
          secure_free (clean);
          return NULL;
        }
      clean[n_chars++] = c;
    }
  if (n_padding > 2 || n_chars % 4 == 1)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s is not valid base64", what);
      secure_free (clean);
      return NULL;
    }
  out = secure_alloc (n_chars * 3 / 4 + 3);
  out_len = g_base64_decode_step ((const char *) clean, n_chars, out, &state, &save);
  secure_free (clean);
  return secure_bytes_take (out, out_len);
}

static GBytes *
decode_hex (const guint8  *text,
            gsize          len,
            const char    *what,
            GError       **error)
{
  guint8 *out = secure_alloc (len / 2 + 1);
  gsize out_len = 0;
  int high = -1;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = text[i];

      /* Separators as in "AB:CD" or parsec-tool's "AB CD". */
      if (is_space (c) || c == ':')
        continue;
      if (!g_ascii_isxdigit (c))
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s is not valid hexadecimal", what);
          secure_free (out);
          return NULL;
        }
      if (high < 0)
        high = g_ascii_xdigit_value (c);
      else
        {
          out[out_len++] = (guint8) (high << 4 | g_ascii_xdigit_value (c));
          high = -1;
        }
    }
  if (high >= 0)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s has an odd number of hexadecimal digits", what);
      secure_free (out);
      return NULL;
    }
  return secure_bytes_take (out, out_len);
}

GBytes *
tool_decode_text (GBytes      *text,
                  const char  *encoding,
                  const char  *what,
                  GError     **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (text, &len);

  if (encoding == NULL || g_str_equal (encoding, "raw"))
    return g_bytes_ref (text);
  if (g_str_equal (encoding, "base64"))
    return decode_base64 (data, len, what, error);
  if (g_str_equal (encoding, "hex"))
    return decode_hex (data, len, what, error);
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "unknown encoding “%s” of %s: use raw, base64 or hex", encoding, what);
  return NULL;
}

GBytes *
tool_read_input (Tool    *tool,
                 GError **error)
{
  g_autoptr(GBytes) text = NULL;
  const char *encoding = tool->input_format;

  if (tool->argument != NULL)
    {
      /* parsec-tool's form: its encoding unless --input-format says */
      text = secure_bytes_new (tool->argument, strlen (tool->argument));
      if (encoding == NULL)
        encoding = tool->argument_encoding;
    }
  else if (tool->data != NULL)
    text = secure_bytes_new (tool->data, strlen (tool->data));
  else
    text = tool_read_file (tool->input, "the input", error);
  if (text == NULL)
    return NULL;
  return tool_decode_text (text, encoding, "the input", error);
}

/* The input as a stream, when it is raw bytes from a file or standard
 * input, for the commands that hash it here chunk by chunk. NULL without
 * an error when the input is given otherwise (an argument, --data, an
 * encoding): then tool_read_input() reads it. */
GInputStream *
tool_open_input_stream (Tool    *tool,
                        GError **error)
{
  g_autoptr(GFile) file = NULL;
  GFileInputStream *stream;
  GError *local_error = NULL;

  if (tool->argument != NULL || tool->data != NULL ||
      (tool->input_format != NULL && !g_str_equal (tool->input_format, "raw")))
    return NULL;
  if (tool->input == NULL || g_str_equal (tool->input, "-"))
    return g_unix_input_stream_new (STDIN_FILENO, FALSE);

  file = g_file_new_for_path (tool->input);
  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot open the input “%s”: %s", tool->input,
                   local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  return G_INPUT_STREAM (stream);
}

/* Encodings */

const char *
tool_format_get_name (ToolFormat format)
{
  switch (format)
    {
    case TOOL_FORMAT_PEM:
      return "pem";
    case TOOL_FORMAT_DER:
      return "der";
    case TOOL_FORMAT_RAW:
      return "raw";
    case TOOL_FORMAT_BASE64:
      return "base64";
    case TOOL_FORMAT_HEX:
      return "hex";
    case TOOL_FORMAT_TEXT:
      return "text";
    default:
      g_assert_not_reached ();
    }
}

/* Base64 without line breaks, in a wiped buffer. */
GBytes *
tool_base64_encode (GBytes *data)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  char *out = (char *) secure_alloc ((len / 3 + 1) * 4 + 4);
  gint state = 0, save = 0;
  gsize out_len;

  out_len = g_base64_encode_step (bytes, len, FALSE, out, &state, &save);
  out_len += g_base64_encode_close (FALSE, out + out_len, &state, &save);
  return secure_bytes_take ((guint8 *) out, out_len);
}

GBytes *
tool_hex_encode (GBytes *data)
{
  static const char digits[] = "0123456789abcdef";
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  guint8 *out = secure_alloc (len * 2);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
  return secure_bytes_take (out, len * 2);
}

/* Lines of 64 characters, each ended by @newline. */
GBytes *
tool_pem_encode (const char *label,
                 GBytes     *der,
                 const char *newline)
{
  g_autoptr(GBytes) base64 = tool_base64_encode (der);
  gsize b64_len;
  const char *b64 = g_bytes_get_data (base64, &b64_len);
  gsize newline_len = strlen (newline);
  g_autofree char *begin = g_strdup_printf ("-----BEGIN %s-----%s", label, newline);
  g_autofree char *end = g_strdup_printf ("-----END %s-----%s", label, newline);
  gsize size = strlen (begin) + b64_len + (b64_len / 64 + 1) * newline_len + strlen (end);
  guint8 *out = secure_alloc (size);
  gsize len = 0;

  memcpy (out, begin, strlen (begin));
  len += strlen (begin);
  for (gsize i = 0; i < b64_len; i += 64)
    {
      gsize line = MIN (64, b64_len - i);

      memcpy (out + len, b64 + i, line);
      len += line;
      memcpy (out + len, newline, newline_len);
      len += newline_len;
    }
  memcpy (out + len, end, strlen (end));
  len += strlen (end);
  g_assert (len <= size);
  return secure_bytes_take (out, len);
}

static const guint8 *
find (const guint8 *haystack,
      gsize         len,
      const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return haystack + i;
  return NULL;
}

/* The first PEM block of @text: its label and its decoded content. */
GBytes *
tool_pem_decode (GBytes  *text,
                 char   **label,
                 GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (text, &len);
  const guint8 *begin = find (data, len, "-----BEGIN "), *label_end, *body, *end;
  g_autofree char *end_marker = NULL;
  g_autofree char *name = NULL;

  if (begin == NULL)
    goto invalid;
  begin += strlen ("-----BEGIN ");
  label_end = find (begin, len - (gsize) (begin - data), "-----");
  if (label_end == NULL)
    goto invalid;
  name = g_strndup ((const char *) begin, (gsize) (label_end - begin));
  body = label_end + 5;
  end_marker = g_strdup_printf ("-----END %s-----", name);
  end = find (body, len - (gsize) (body - data), end_marker);
  if (end == NULL)
    goto invalid;
  if (find (body, (gsize) (end - body), ":") != NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "the PEM block “%s” has headers (legacy encryption?), which are not supported", name);
      return NULL;
    }
  if (label != NULL)
    *label = g_steal_pointer (&name);
  return decode_base64 (body, (gsize) (end - body), "the PEM block", error);

invalid:
  g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "no complete PEM block found");
  return NULL;
}

/* Text from elsewhere */

/* Whether @c is shown escaped: the controls (C0, DEL, C1), which a
 * terminal takes for commands (moving the cursor over earlier lines,
 * setting the title, writing the clipboard with OSC 52), and the
 * bidirectional formatting characters, which reorder what is shown. */
static gboolean
char_is_unsafe (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *
tool_escape (const char *text)
{
  const char *p, *end;
  GString *out;

  if (text == NULL)
    return g_strdup ("(null)");
  end = text + strlen (text);
  out = g_string_sized_new ((gsize) (end - text) + 1);
  for (p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      /* A byte that is not UTF-8 shows as its value. */
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (char_is_unsafe (c) && c < 0x80)
        g_string_append_printf (out, "\\x%02x", c);
      else if (char_is_unsafe (c))
        g_string_append_printf (out, "\\u{%04x}", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

/* Output */

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len,
           GError      **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "cannot write the output: %s", g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Moves the written temporary file @tmp to @path, which was absent:
 * never over something that appeared meanwhile. */
static int
rename_no_replace (const char *tmp,
                   const char *path)
{
  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  /* A file system without RENAME_NOREPLACE: a hard link fails the same
   * way when the name is taken. */
  if (link (tmp, path) != 0)
    return -1;
  g_unlink (tmp);
  return 0;
}

/* Writes @data to the file @path, whole or not at all: to a temporary
 * file beside it, then renamed into place. Only a regular file of the
 * user's own is replaced, or a new one created: a link, a device, a FIFO
 * or a socket is refused rather than replaced or written through, so
 * that "-o /dev/null" run as root cannot turn the device into a file
 * holding a secret, nor a planted link send it elsewhere. A secret is
 * created 0600. */
static gboolean
write_output_file (const char    *path,
                   const guint8  *data,
                   gsize          len,
                   gboolean       secret,
                   GError       **error)
{
  g_autofree char *display = tool_escape (path);
  g_autofree char *tmp = NULL;
  gboolean existed;
  struct stat st;
  int fd, saved;

  if (lstat (path, &st) == 0)
    {
      const char *kind = S_ISLNK (st.st_mode) ? "a symbolic link" :
                         S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) ? "a device" :
                         S_ISFIFO (st.st_mode) ? "a FIFO" :
                         S_ISSOCK (st.st_mode) ? "a socket" :
                         S_ISDIR (st.st_mode) ? "a directory" :
                         !S_ISREG (st.st_mode) ? "not a regular file" : NULL;

      if (kind != NULL)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL,
                       "refusing to write the output to “%s”: it is %s, and only a regular file is written "
                       "(or standard output, with --output -)", display, kind);
          return FALSE;
        }
      if (st.st_uid != geteuid ())
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL,
                       "refusing to replace “%s”: it belongs to another user", display);
          return FALSE;
        }
      existed = TRUE;
    }
  else if (errno == ENOENT)
    existed = FALSE;
  else
    {
      saved = errno;
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "cannot write the output to “%s”: %s", display,
                   g_strerror (saved));
      return FALSE;
    }

  tmp = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, secret ? 0600 : 0666);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "cannot write the output to “%s”: %s", display,
                   g_strerror (saved));
      return FALSE;
    }
  /* g_mkstemp_full() creates 0600 whatever it is asked; the usual mode
   * for the rest, as open() would give. */
  if (!secret)
    {
      mode_t mask = umask (0);

      umask (mask);
      if (fchmod (fd, 0666 & ~mask) != 0)
        goto fail;
    }
  if (!write_all (fd, data, len, error) || fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if ((existed ? rename (tmp, path) : rename_no_replace (tmp, path)) != 0)
    goto fail;
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  if (error != NULL && *error == NULL)
    g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "cannot write the output to “%s”: %s", display,
                 saved == EEXIST ? "something else appeared there meanwhile" : g_strerror (saved));
  return FALSE;
}

gboolean
tool_write (Tool        *tool,
            const char  *text,
            gsize        len,
            gboolean     secret,
            GError     **error)
{
  if (tool->output == NULL || g_str_equal (tool->output, "-"))
    {
      /* A secret goes to a terminal only when asked for by name, but for
       * the text forms, which parsec-tool prints wherever standard output
       * goes. */
      if (secret && tool->format != TOOL_FORMAT_TEXT && tool->output == NULL && isatty (STDOUT_FILENO))
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                               "the result is secret and standard output is a terminal: "
                               "use --output FILE, or --output - to show it anyway");
          return FALSE;
        }
      /* Straight to the descriptor: stdio would keep a copy. */
      fflush (stdout);
      return write_all (STDOUT_FILENO, (const guint8 *) text, len, error);
    }

  return write_output_file (tool->output, (const guint8 *) text, len, secret, error);
}

gboolean
tool_print (Tool        *tool,
            GError     **error,
            const char  *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return tool_write (tool, text, strlen (text), FALSE, error);
}

/* JSON */

struct _ToolJson
{
  GString *out;
  GArray *has_members;   /* per open object or array */
  gboolean after_key;
};

ToolJson *
tool_json_new (void)
{
  ToolJson *json = g_new0 (ToolJson, 1);

  json->out = g_string_sized_new (256);
  json->has_members = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return json;
}

/* Makes room for @extra more bytes now, while the buffer holds only
 * metadata: a reallocation in the middle of a secret would leave part of
 * it behind, unwiped. */
static void
json_reserve (ToolJson *json,
              gsize     extra)
{
  GString *larger;

  if (json->out->allocated_len - json->out->len > extra)
    return;
  larger = g_string_sized_new (json->out->len + extra + 1);
  g_string_append_len (larger, json->out->str, json->out->len);
  secure_wipe (json->out->str, json->out->allocated_len);
  g_string_free (json->out, TRUE);
  json->out = larger;
}

void
tool_json_free (ToolJson *json)
{
  if (json == NULL)
    return;
  secure_wipe (json->out->str, json->out->allocated_len);
  g_string_free (json->out, TRUE);
  g_array_unref (json->has_members);
  g_free (json);
}

static void
json_before_value (ToolJson *json)
{
  gboolean *has_members;

  if (json->after_key)
    {
      json->after_key = FALSE;
      return;
    }
  if (json->has_members->len == 0)
    return;
  has_members = &g_array_index (json->has_members, gboolean, json->has_members->len - 1);
  if (*has_members)
    g_string_append_c (json->out, ',');
  *has_members = TRUE;
}

static void
json_open (ToolJson *json,
           char      bracket)
{
  gboolean no = FALSE;

  json_before_value (json);
  g_string_append_c (json->out, bracket);
  g_array_append_val (json->has_members, no);
}

static void
json_close (ToolJson *json,
            char      bracket)
{
  g_return_if_fail (json->has_members->len > 0);
  g_array_set_size (json->has_members, json->has_members->len - 1);
  g_string_append_c (json->out, bracket);
}

void
tool_json_begin_object (ToolJson *json)
{
  json_open (json, '{');
}

void
tool_json_end_object (ToolJson *json)
{
  json_close (json, '}');
}

void
tool_json_begin_array (ToolJson *json)
{
  json_open (json, '[');
}

void
tool_json_end_array (ToolJson *json)
{
  json_close (json, ']');
}

/* JSON's escapes for what tool_escape() escapes in text; a byte that is
 * not UTF-8, which JSON cannot hold, becomes U+FFFD. */
static void
json_append_string (ToolJson   *json,
                    const char *text,
                    gsize       len)
{
  const char *p = text, *end = text + len;

  g_string_append_c (json->out, '"');
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (json->out, "\\ufffd");
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      if (c == '"' || c == '\\')
        {
          g_string_append_c (json->out, '\\');
          g_string_append_c (json->out, (char) c);
        }
      else if (char_is_unsafe (c))
        g_string_append_printf (json->out, "\\u%04x", c);
      else
        g_string_append_len (json->out, p, next - p);
      p = next;
    }
  g_string_append_c (json->out, '"');
}

void
tool_json_key (ToolJson   *json,
               const char *key)
{
  json_before_value (json);
  json_append_string (json, key, strlen (key));
  g_string_append_c (json->out, ':');
  json->after_key = TRUE;
}

void
tool_json_string (ToolJson   *json,
                  const char *value)
{
  if (value == NULL)
    {
      tool_json_null (json);
      return;
    }
  json_before_value (json);
  json_append_string (json, value, strlen (value));
}

static void
json_string_bytes (ToolJson *json,
                   GBytes   *value)
{
  gsize len;
  const char *text = g_bytes_get_data (value, &len);

  json_before_value (json);
  json_append_string (json, text, len);
}

void
tool_json_int (ToolJson *json,
               gint64    value)
{
  json_before_value (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
tool_json_bool (ToolJson *json,
                gboolean  value)
{
  json_before_value (json);
  g_string_append (json->out, value ? "true" : "false");
}

void
tool_json_null (ToolJson *json)
{
  json_before_value (json);
  g_string_append (json->out, "null");
}

/* The object of a command about a key: its name first. */
void
tool_json_begin_key_object (ToolJson   *json,
                            const char *key_name)
{
  tool_json_begin_object (json);
  tool_json_key (json, "key_name");
  tool_json_string (json, key_name);
}

gboolean
tool_json_write (Tool      *tool,
                 ToolJson  *json,
                 gboolean   secret,
                 GError   **error)
{
  g_return_val_if_fail (json->has_members->len == 0, FALSE);
  g_string_append_c (json->out, '\n');
  return tool_write (tool, json->out->str, json->out->len, secret, error);
}

/* The finished document, one line, for what is not a command's result
 * (an error report on standard error). */
const char *
tool_json_get_text (ToolJson *json)
{
  g_return_val_if_fail (json->has_members->len == 0, NULL);
  return json->out->str;
}

/* Data in the chosen format, as text or JSON. */
gboolean
tool_emit (Tool            *tool,
           const ToolData  *data,
           ToolJson        *json,
           GError         **error)
{
  GBytes *binary = data->der != NULL ? data->der : data->raw;
  g_autoptr(GBytes) text = NULL;
  gboolean is_text = TRUE;

  switch (tool->format)
    {
    case TOOL_FORMAT_PEM:
      if (data->der == NULL || data->pem_label == NULL)
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "this result has no PEM form; choose another --format");
          return FALSE;
        }
      text = tool_pem_encode (data->pem_label, data->der, "\n");
      break;
    case TOOL_FORMAT_TEXT:
      if (data->text == NULL)
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "this result has no text form; choose another --format");
          return FALSE;
        }
      text = g_bytes_ref (data->text);
      break;
    case TOOL_FORMAT_DER:
      if (data->der == NULL)
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "this result has no DER form; choose another --format");
          return FALSE;
        }
      is_text = FALSE;
      break;
    case TOOL_FORMAT_RAW:
      binary = data->raw != NULL ? data->raw : data->der;
      is_text = FALSE;
      break;
    case TOOL_FORMAT_BASE64:
      text = tool_base64_encode (binary);
      break;
    case TOOL_FORMAT_HEX:
      text = tool_hex_encode (binary);
      break;
    default:
      g_assert_not_reached ();
    }

  if (tool->json)
    {
      if (text == NULL)
        text = tool_base64_encode (binary);
      /* The text is base64, hex or PEM: only PEM's newlines grow when
       * escaped (to 6 bytes, one in 65), plus the rest of the object;
       * control characters of a text form grow six times. */
      json_reserve (json, g_bytes_get_size (text) * (tool->format == TOOL_FORMAT_TEXT ? 6 : 1) +
                          g_bytes_get_size (text) / 8 + 256);
      tool_json_key (json, data->json_name);
      json_string_bytes (json, text);
      tool_json_key (json, "format");
      tool_json_string (json, tool_format_get_name (tool->format));
      if (!is_text)
        {
          tool_json_key (json, "encoding");
          tool_json_string (json, "base64");
        }
      tool_json_end_object (json);
      return tool_json_write (tool, json, data->secret, error);
    }

  if (!is_text)
    return tool_write (tool, g_bytes_get_data (binary, NULL), g_bytes_get_size (binary), data->secret, error);

  /* Text ends with a newline; PEM and the text forms already do. */
  if (tool->format != TOOL_FORMAT_PEM && tool->format != TOOL_FORMAT_TEXT)
    text = der_cat (g_steal_pointer (&text), g_bytes_new ("\n", 1), NULL);
  return tool_write (tool, g_bytes_get_data (text, NULL), g_bytes_get_size (text), data->secret, error);
}
