// CurlLibrary: the few libcurl calls greenrun makes, loaded at run time with
// dlopen("libcurl.so.4") on the first HTTP request, so that commands that
// make none (`greenrun run` without cloud metadata, `greenrun emissions`, ...)
// never map libcurl and its TLS, HTTP/2, SSH and LDAP dependencies (about a
// megabyte of peak RSS). <curl/curl.h> is used for types and constants only;
// there is no link-time dependency. All dlsym casts live in curl_library.cc.
//
// A machine without libcurl can still do everything but fetch: get() returns
// an error saying which library is missing and how to install it.
//
// Thread-safety: get() is safe to call from several threads (the load and
// curl_global_init happen once); the function pointers are immutable after
// loading and libcurl's easy interface is thread-safe per handle.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "greenrun/base/result.h"

namespace greenrun::intensity {

class CurlLibrary {
 public:
  // The default soname (the ABI of every libcurl since 7.16).
  static constexpr const char* kDefaultPath = "libcurl.so.4";

  // The process-wide library, loaded on the first call (dlopen + dlsym +
  // curl_global_init) and kept for the life of the process. Errors: the
  // library cannot be loaded (the message names it, gives dlerror's reason
  // and how to install it), a symbol is missing, curl_global_init fails. A
  // failed load is remembered: later calls return the same error.
  [[nodiscard]] static Result<const CurlLibrary*> get();

  // Loads the library at `path` (a soname or a file) without touching the
  // process-wide one; for tests. Same errors as get().
  [[nodiscard]] static Result<std::unique_ptr<CurlLibrary>> load(const std::string& path);

  ~CurlLibrary();  // dlclose (never curl_global_cleanup: other users may remain)
  CurlLibrary(const CurlLibrary&) = delete;
  CurlLibrary& operator=(const CurlLibrary&) = delete;

  const std::string& path() const { return path_; }

  // Signatures as in curl/curl.h and curl/easy.h.
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;

 private:
  CurlLibrary() = default;
  std::string path_;
  void* handle_ = nullptr;
  CURLcode (*global_init_)(long) = nullptr;
};

}  // namespace greenrun::intensity
