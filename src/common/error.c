/* error.c — the error record and status→exit-code mapping used by every layer and the CLI. */
#include "vqe/common.h"
#include <stdio.h>
#include <string.h>

vqe_status vqe_error_set(vqe_error *err, vqe_status s, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->status = s;
  }
  return s;
}

void vqe_error_clear(vqe_error *err)
{
  if (err) { err->status = VQE_OK; err->msg[0] = '\0'; }
}

int vqe_status_exit_code(vqe_status s)
{
  switch (s) {
  case VQE_OK: return 0;
  case VQE_ERR_INPUT: case VQE_ERR_RESOURCE: return 2;
  default: return 1;
  }
}

const char *vqe_status_name(vqe_status s)
{
  switch (s) {
  case VQE_OK: return "ok";
  case VQE_ERR_INPUT: return "input error";
  case VQE_ERR_COMPUTE: return "computation failed";
  case VQE_ERR_RESOURCE: return "not enough memory";
  default: return "internal error";
  }
}
