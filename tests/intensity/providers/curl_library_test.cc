// libcurl is loaded lazily with dlopen (curl_library.h); the HTTP behaviour
// itself is covered by http_client_test.cc and the provider tests against a
// real loopback server.
#include "intensity/providers/curl_library.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "greenrun/intensity/providers/http_client.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

// True when a shared object whose path contains `name` is mapped into this process.
bool mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream ss;
  ss << maps.rdbuf();
  return ss.str().find(name) != std::string::npos;
}

TEST(CurlLibrary, MissingLibraryIsAClearError) {
  auto lib = CurlLibrary::load("libcurl-greenrun-missing.so.4");
  ASSERT_FALSE(lib);
  const std::string& m = lib.error().message;
  EXPECT_NE(m.find("libcurl-greenrun-missing.so.4: cannot load libcurl"), std::string::npos) << m;
  EXPECT_NE(m.find("apt install libcurl4"), std::string::npos) << m;
}

TEST(CurlLibrary, NotALibcurlIsAClearError) {
  // libc is a shared library without curl's symbols.
  auto lib = CurlLibrary::load("libc.so.6");
  ASSERT_FALSE(lib);
  EXPECT_NE(lib.error().message.find("symbol curl_global_init is missing"), std::string::npos) << lib.error().message;
}

// Read before main(), so before any test made a request: nothing in the
// greenrun libraries (which this test program links) may map libcurl.
const bool kLibcurlMappedAtStart = mapped("libcurl");

TEST(CurlLibrary, NotMappedUntilTheFirstRequest) {
  EXPECT_FALSE(kLibcurlMappedAtStart) << "libcurl is linked at build time again (src/CMakeLists.txt?)";
  CurlHttpClient client;  // constructing a client loads nothing
  auto lib = CurlLibrary::get();
  ASSERT_TRUE(lib) << lib.error().message;
  EXPECT_TRUE(mapped("libcurl"));
  EXPECT_EQ((*lib)->path(), CurlLibrary::kDefaultPath);
  auto again = CurlLibrary::get();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *lib);  // loaded once
}

}  // namespace
}  // namespace greenrun::intensity
