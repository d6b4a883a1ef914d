#include "runner/location.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "testing/paths.h"

namespace greenrun::runner {
namespace {

Result<std::string> known_regions(const std::string& r) {
  if (r == "aws:eu-central-1") return std::string("DE");
  if (r == "azure:westus") return std::string("US-CAL-CISO");
  if (r == "gcp:europe-west3") return std::string("DE");
  return make_error("unknown region " + r);
}

// A metadata server that answers like one cloud's: a few lines of HTTP/1.0
// over a loopback socket, enough for libcurl.
class MetadataServer {
 public:
  explicit MetadataServer(std::string cloud) : cloud_(std::move(cloud)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~MetadataServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++requests_;
      char buf[4096];
      const ssize_t n = ::read(c, buf, sizeof buf);
      const std::string req(buf, n > 0 ? static_cast<size_t>(n) : 0);
      std::string body;
      int status = 404;
      auto has = [&](const char* s) { return req.find(s) != std::string::npos; };
      if (cloud_ == "aws" && has("PUT /latest/api/token")) {
        status = 200;
        body = "TOKEN123";
      } else if (cloud_ == "aws" && has("GET /latest/meta-data/placement/region") &&
                 has("X-aws-ec2-metadata-token: TOKEN123")) {
        status = 200;
        body = "eu-central-1";
      } else if (cloud_ == "azure" && has("GET /metadata/instance/compute/location") && has("Metadata: true")) {
        status = 200;
        body = "westus";
      } else if (cloud_ == "gcp" && has("GET /computeMetadata/v1/instance/zone") && has("Metadata-Flavor: Google")) {
        status = 200;
        body = "projects/123456/zones/europe-west3-b";
      }
      const std::string resp = "HTTP/1.0 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
                               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                               body;
      [[maybe_unused]] auto w = ::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  std::string cloud_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class LocationTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-where"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  LocationRequest request() {
    LocationRequest r;
    r.config_path = (dir_ / "config.toml").string();
    r.cache_path = (dir_ / "cache" / "location").string();
    r.metadata_base = r.gcp_metadata_base = "http://127.0.0.1:9";  // discard port: refused at once
    return r;
  }
  std::filesystem::path dir_;
};

TEST_F(LocationTest, ExplicitZoneWins) {
  auto r = request();
  r.zone = "FR";
  r.env_zone = "DE";
  auto w = where_am_i(r, known_regions);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->zone, "FR");
  EXPECT_EQ(w->source, "--zone");
}

TEST_F(LocationTest, RegionMapsThroughTheCatalogue) {
  auto r = request();
  r.region = "aws:eu-central-1";
  auto w = where_am_i(r, known_regions);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->zone, "DE");
  EXPECT_EQ(*w->cloud_region, "aws:eu-central-1");
  r.region = "aws:mars-1";
  EXPECT_FALSE(where_am_i(r, known_regions));
  r.region = "eu-central-1";
  EXPECT_NE(where_am_i(r, known_regions).error().message.find("expected provider:region"), std::string::npos);
  r.zone = "DE";
  EXPECT_FALSE(where_am_i(r, known_regions));  // both given
}

TEST_F(LocationTest, EnvironmentThenConfigFile) {
  auto r = request();
  std::ofstream(*r.config_path) << "# greenrun\nzone = \"GB\"\n";
  r.env_zone = "NO";
  EXPECT_EQ(where_am_i(r, known_regions)->zone, "NO");
  r.env_zone.reset();
  auto w = where_am_i(r, known_regions);
  EXPECT_EQ(w->zone, "GB");
  EXPECT_EQ(w->source, "config.toml");
}

TEST_F(LocationTest, BrokenConfigNamesFileAndLine) {
  auto r = request();
  std::ofstream(*r.config_path) << "zone = \"GB\"\nzone = = 3\n";
  auto w = where_am_i(r, known_regions);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("config.toml:2: "), std::string::npos) << w.error().message;
}

TEST_F(LocationTest, NothingKnownIsTheWorldAverageWithAWarning) {
  auto r = request();
  r.use_metadata = false;
  auto w = where_am_i(r, known_regions);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->zone, "");
  EXPECT_EQ(w->source, "world average");
  ASSERT_TRUE(w->warning);
  EXPECT_NE(w->warning->find("--zone"), std::string::npos);
}

TEST_F(LocationTest, AwsImdsV2) {
  MetadataServer aws("aws");
  auto r = request();
  r.metadata_base = aws.base();
  auto w = where_am_i(r, known_regions);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->zone, "DE");
  EXPECT_EQ(w->source, "aws metadata");
  // Cached: no further requests.
  const int before = aws.requests();
  EXPECT_EQ(where_am_i(r, known_regions)->zone, "DE");
  EXPECT_EQ(aws.requests(), before);
}

TEST_F(LocationTest, AzureAndGcp) {
  {
    MetadataServer azure("azure");
    EXPECT_EQ(query_cloud_metadata(azure.base(), azure.base(), 300), "azure:westus");
  }
  MetadataServer gcp("gcp");
  EXPECT_EQ(query_cloud_metadata(gcp.base(), gcp.base(), 300), "gcp:europe-west3");
}

TEST_F(LocationTest, NoMetadataServiceIsCachedAsNone) {
  auto r = request();
  auto w = where_am_i(r, known_regions);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->source, "world average");
  std::ifstream in(*r.cache_path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "none");
}

}  // namespace
}  // namespace greenrun::runner
