// The only file that casts dlsym results for libcurl.
#include "intensity/providers/curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace greenrun::intensity {
namespace {

template <typename F>
[[nodiscard]] bool bind(void* handle, F& fn, const char* symbol) {
  // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
  fn = reinterpret_cast<F>(dlsym(handle, symbol));
  return fn != nullptr;
}

}  // namespace

CurlLibrary::~CurlLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

Result<std::unique_ptr<CurlLibrary>> CurlLibrary::load(const std::string& path) {
  std::unique_ptr<CurlLibrary> lib(new CurlLibrary());
  lib->path_ = path;
  lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle_ == nullptr) {
    const char* why = dlerror();
    return make_error(path + ": cannot load libcurl (" + (why ? why : "unknown reason") +
                      "); greenrun needs it only to fetch over HTTP: install it (Debian/Ubuntu: "
                      "apt install libcurl4) or import files with `greenrun intensity import`");
  }
  void* h = lib->handle_;
  struct Symbol {
    bool ok;
    const char* name;
  };
  for (const Symbol s : {Symbol{bind(h, lib->global_init_, "curl_global_init"), "curl_global_init"},
                         Symbol{bind(h, lib->easy_init, "curl_easy_init"), "curl_easy_init"},
                         Symbol{bind(h, lib->easy_cleanup, "curl_easy_cleanup"), "curl_easy_cleanup"},
                         Symbol{bind(h, lib->easy_setopt, "curl_easy_setopt"), "curl_easy_setopt"},
                         Symbol{bind(h, lib->easy_perform, "curl_easy_perform"), "curl_easy_perform"},
                         Symbol{bind(h, lib->easy_getinfo, "curl_easy_getinfo"), "curl_easy_getinfo"},
                         Symbol{bind(h, lib->easy_strerror, "curl_easy_strerror"), "curl_easy_strerror"},
                         Symbol{bind(h, lib->slist_append, "curl_slist_append"), "curl_slist_append"},
                         Symbol{bind(h, lib->slist_free_all, "curl_slist_free_all"), "curl_slist_free_all"}}) {
    if (!s.ok) return make_error(path + ": not a usable libcurl: symbol " + s.name + " is missing");
  }
  if (const CURLcode rc = lib->global_init_(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    return make_error(path + ": curl_global_init failed: " + lib->easy_strerror(rc));
  return lib;
}

Result<const CurlLibrary*> CurlLibrary::get() {
  static std::once_flag once;
  static Result<std::unique_ptr<CurlLibrary>>* loaded = nullptr;  // never freed: lives as long as the process
  std::call_once(once, [] { loaded = new Result<std::unique_ptr<CurlLibrary>>(load(kDefaultPath)); });
  if (!*loaded) return std::unexpected(loaded->error());
  return loaded->value().get();
}

}  // namespace greenrun::intensity
