#include "intensity/providers/live_forecast.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "greenrun/base/time_format.h"
#include "intensity/store.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::FakeClock;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;
using namespace std::chrono_literals;

const UtcTime t0 = *parse_utc("2024-03-01T00:00:00Z");

IntensitySeries hourly(UtcTime from, const std::vector<double>& values, Origin o = Origin::kForecast) {
  IntensitySeries s("GB", Signal::kAverageDirect, o);
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_TRUE(s.append(from + static_cast<int>(i) * 1h, 1h, CarbonIntensity::grams_per_kwh(values[i])));
  return s;
}

double at(const IntensitySeries& s, UtcTime t) { return s.at(t).value().grams_per_kwh(); }

TEST(ParseForecastSpec, NamesProviderAndPlace) {
  auto uk = parse_forecast_spec("uk", "GB");
  ASSERT_TRUE(uk);
  EXPECT_EQ(uk->request.provider, ProviderKind::kUk);
  EXPECT_FALSE(uk->request.postcode);
  auto region = parse_forecast_spec("uk:RG10", "GB");
  ASSERT_TRUE(region);
  EXPECT_EQ(region->request.postcode.value(), "RG10");
  auto wt = parse_forecast_spec("watttime:CAISO_NORTH", "US-CAL-CISO");
  ASSERT_TRUE(wt);
  EXPECT_EQ(wt->request.zone.value(), "CAISO_NORTH");
  auto em = parse_forecast_spec("electricitymaps", "DE");
  ASSERT_TRUE(em);
  EXPECT_EQ(em->request.zone.value(), "DE");
  EXPECT_EQ(parse_forecast_spec("em:FR", "DE")->request.zone.value(), "FR");
  auto at = parse_forecast_spec("watttime:38.58,-121.49", "US-CAL-CISO");
  ASSERT_TRUE(at) << at.error().message;
  EXPECT_FALSE(at->request.zone);
  EXPECT_DOUBLE_EQ(at->request.latitude.value(), 38.58);
  EXPECT_DOUBLE_EQ(at->request.longitude.value(), -121.49);
  EXPECT_FALSE(parse_forecast_spec("watttime:91,0", "US-CAL-CISO"));
  EXPECT_FALSE(parse_forecast_spec("watttime:north,west", "US-CAL-CISO"));
  EXPECT_FALSE(parse_forecast_spec("watttime", "US-CAL-CISO"));
  EXPECT_FALSE(parse_forecast_spec("electricitymaps", ""));
  // A bad place names the spec the user typed, not `intensity fetch`'s flags.
  auto latlon = parse_forecast_spec("uk:51.5,-0.1", "GB");
  ASSERT_FALSE(latlon);
  EXPECT_NE(latlon.error().message.find("forecast provider \"uk:51.5,-0.1\": expected uk:POSTCODE"), std::string::npos)
      << latlon.error().message;
  EXPECT_EQ(latlon.error().message.find("--postcode"), std::string::npos) << latlon.error().message;
  auto bad = parse_forecast_spec("co2signal", "DE");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("expected uk, uk:POSTCODE, watttime:REGION"), std::string::npos);
}

TEST(ForecastHorizon, CoversTheWindowUpToTheProvidersLimit) {
  EXPECT_EQ(forecast_horizon_hours(ProviderKind::kUk, t0, t0 + 90min), 2);
  EXPECT_EQ(forecast_horizon_hours(ProviderKind::kUk, t0, t0 + 100h), 48);
  EXPECT_EQ(forecast_horizon_hours(ProviderKind::kWattTime, t0, t0 + 100h), 72);
  EXPECT_EQ(forecast_horizon_hours(ProviderKind::kElectricityMaps, t0, t0 - 1h), 1);
}

TEST(LayerSeries, TheFirstLayerWithAPointWinsAndPointsAreCutAtBoundaries) {
  const IntensitySeries top = hourly(t0 + 2h, {10, 20});            // [2h, 4h)
  const IntensitySeries mid = hourly(t0 + 30min, {100, 200, 300, 400, 500});  // [0:30, 5:30)
  const IntensitySeries low = hourly(t0, {1, 1, 1, 1, 1, 1, 1, 1});  // [0, 8h)
  const IntensitySeries out = layer_series({&top, &mid, &low}, t0, t0 + 6h);
  ASSERT_TRUE(out.covers(t0, t0 + 6h));
  EXPECT_EQ(at(out, t0), 1);
  EXPECT_EQ(at(out, t0 + 30min), 100);
  EXPECT_EQ(at(out, t0 + 1h + 59min), 200);
  EXPECT_EQ(at(out, t0 + 2h), 10);
  EXPECT_EQ(at(out, t0 + 3h + 30min), 20);
  EXPECT_EQ(at(out, t0 + 4h), 400);  // mid's [3:30, 4:30) cut at 4h
  EXPECT_EQ(at(out, t0 + 5h + 29min), 500);
  EXPECT_EQ(at(out, t0 + 5h + 30min), 1);
  EXPECT_EQ(out.end(), t0 + 6h);
  // Points are kept whole at the window's edges.
  const IntensitySeries inner = layer_series({&top, &low}, t0 + 10min, t0 + 2h + 20min);
  EXPECT_EQ(inner.start(), t0);
  EXPECT_EQ(inner.end(), t0 + 3h);
  EXPECT_EQ(out.origin(), Origin::kForecast);
}

TEST(LayerSeries, MatchesAPointwiseOracleOnRandomLayers) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 200; ++round) {
    std::vector<IntensitySeries> layers;
    for (int l = 0; l < 3; ++l) {
      IntensitySeries s("Z", Signal::kAverageDirect, Origin::kForecast);
      UtcTime t = t0 + std::chrono::minutes(std::uniform_int_distribution<int>(0, 120)(rng));
      const int n = std::uniform_int_distribution<int>(0, 8)(rng);
      for (int i = 0; i < n; ++i) {
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) t += std::chrono::minutes(std::uniform_int_distribution<int>(1, 60)(rng));
        const auto d = std::chrono::minutes(std::uniform_int_distribution<int>(5, 90)(rng));
        ASSERT_TRUE(s.append(t, d, CarbonIntensity::grams_per_kwh(100.0 * l + i)));
        t += d;
      }
      layers.push_back(std::move(s));
    }
    const UtcTime from = t0 + std::chrono::minutes(std::uniform_int_distribution<int>(0, 200)(rng));
    const UtcTime to = from + std::chrono::minutes(std::uniform_int_distribution<int>(1, 600)(rng));
    const IntensitySeries out = layer_series({&layers[0], &layers[1], &layers[2]}, from, to);
    for (UtcTime t = from; t < to; t += 1min) {
      std::optional<double> want;
      for (const auto& l : layers)
        if (auto v = l.at(t)) {
          want = v->grams_per_kwh();
          break;
        }
      auto got = out.at(t);
      ASSERT_EQ(want.has_value(), got.has_value()) << format_utc(t);
      if (want) {
        ASSERT_EQ(*want, got->grams_per_kwh()) << format_utc(t);
      }
    }
    // Whole points: every point overlaps the window and starts where one of
    // the layers' points starts or a higher layer's point ends.
    for (size_t i = 0; i < out.size(); ++i) {
      const IntensityPoint p = out.point(i);
      EXPECT_TRUE(p.end() > from && p.start < to) << format_utc(p.start);
      bool on_grid = false;
      for (const auto& l : layers)
        for (size_t k = 0; k < l.size(); ++k)
          on_grid = on_grid || l.point(k).start == p.start || l.point(k).end() == p.start;
      EXPECT_TRUE(on_grid) << format_utc(p.start);
    }
  }
}

TEST(PersistenceAfter, RepeatsTheLastDayAndMarksItEstimated) {
  std::vector<double> v(30);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  const IntensitySeries s = hourly(t0, v);  // [0, 30h)
  const IntensitySeries p = persistence_after(s, t0 + 80h);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p.start(), t0 + 30h);
  EXPECT_EQ(p.end(), t0 + 80h);
  EXPECT_TRUE(p.covers(t0 + 30h, t0 + 80h));
  EXPECT_EQ(at(p, t0 + 30h), 6);   // 24 h before: hour 6
  EXPECT_EQ(at(p, t0 + 53h), 29);  // hour 29
  EXPECT_EQ(at(p, t0 + 54h), 6);   // and round again
  EXPECT_TRUE(p.point(0).estimated);
  EXPECT_TRUE(persistence_after(hourly(t0, {1, 2, 3}), t0 + 10h).empty());  // shorter than a day
  EXPECT_TRUE(persistence_after(s, t0 + 20h).empty());                     // already reaches
}

// The UK API's forward answer from the path's start, `n` half-hours of `v`.
Reply uk_answer(const ServedRequest& req, double v) {
  const std::string rest = req.path.substr(std::string("/intensity/").size());
  auto from = parse_utc(rest.substr(0, rest.find('/')));
  if (!from) return Reply::json("{}", 400);
  const int n = rest.ends_with("fw24h") ? 48 : 96;
  std::string data;
  for (int i = 0; i < n; ++i) {
    const UtcTime a = *from + i * 30min;
    if (i) data += ",";
    data += "{\"from\":\"" + format_utc(a).substr(0, 16) + "Z\",\"to\":\"" + format_utc(a + 30min).substr(0, 16) +
            "Z\",\"intensity\":{\"forecast\":" + std::to_string(v) + ",\"actual\":null,\"index\":\"low\"}}";
  }
  return Reply::json("{\"data\":[" + data + "]}");
}

class LiveForecastFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-live-feed"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string store() const { return (dir_ / "greenrun.db").string(); }
  std::filesystem::path dir_;
};

TEST_F(LiveForecastFeedTest, FetchesCachesAndContinuesBeyondTheHorizonByPersistence) {
  std::atomic<double> value{150};
  std::atomic<int> status{200};
  LoopbackServer server([&](const ServedRequest& req) {
    if (status.load() != 200) return Reply::json("{}", status.load());
    return uk_answer(req, value.load());
  });
  ProviderSettings settings;
  settings.uk_base_url = server.base_url();
  CurlHttpClient http;
  FakeClock clock(t0 + 10min);
  RetryPolicy fast;
  fast.max_attempts = 1;
  LiveForecastFeed feed(*parse_forecast_spec("uk", "GB"), settings, http, clock, store(), fast);

  // 60 h window: 48 h of forecast (from 00:00, the half-hour holding 00:10), then persistence.
  auto got = feed.obtain(t0 + 10min, t0 + 60h + 10min);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->choice, FallbackChoice::kFetched);
  EXPECT_TRUE(got->series.covers(t0 + 10min, t0 + 60h + 10min));
  EXPECT_NE(got->label.find("uk forecast (GB, average-direct), fetched 2024-03-01T00:10:00Z"), std::string::npos)
      << got->label;
  EXPECT_NE(got->label.find("persistence, not a forecast"), std::string::npos) << got->label;
  EXPECT_TRUE(server.requests().back().path.ends_with("/fw48h"));
  {
    auto s = IntensityStore::open(store());
    ASSERT_TRUE(s);
    auto cached = s->load({"GB", Signal::kAverageDirect, Origin::kForecast}, t0, t0 + 48h);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->size(), 96u);
  }

  // Provider down (500): the cached fetch and the run's own past are used,
  // with a warning; the value the plan had stays.
  status = 500;
  clock.advance(2h);
  const IntensitySeries previous = got->series;
  auto fallback = feed.obtain(t0 + 10min, t0 + 60h + 10min, &previous);
  ASSERT_TRUE(fallback) << fallback.error().message;
  EXPECT_EQ(fallback->choice, FallbackChoice::kStored);
  ASSERT_FALSE(fallback->warnings.empty());
  EXPECT_TRUE(fallback->series.covers(t0 + 10min, t0 + 60h + 10min));
  EXPECT_DOUBLE_EQ(at(fallback->series, t0 + 3h), 150);

  // Back up with new numbers: the future is the new forecast, the past the old.
  status = 200;
  value = 90;
  auto fresh = feed.obtain(t0 + 10min, t0 + 60h + 10min, &previous);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_DOUBLE_EQ(at(fresh->series, t0 + 1h), 150);  // before the fetch (02:10): kept
  EXPECT_DOUBLE_EQ(at(fresh->series, t0 + 3h), 90);

  // Bad request answers (4xx) are errors, never papered over.
  status = 400;
  auto refused = feed.obtain(t0 + 10min, t0 + 60h, &previous);
  ASSERT_FALSE(refused);
}

TEST_F(LiveForecastFeedTest, WattTimeFindsTheRegionFromALocation) {
  LoopbackServer server([](const ServedRequest& req) {
    if (req.path == "/login") return Reply::json(R"({"token":"t"})");
    if (req.path == "/v3/region-from-loc")
      return Reply::json(R"({"region":"CAISO_NORTH","region_full_name":"California ISO - North","signal_type":"co2_moer"})");
    if (req.path == "/v3/forecast" && req.param("region") == "CAISO_NORTH") {
      std::string data;
      for (int i = 0; i < 12 * 24; ++i)
        data += (i ? "," : "") + std::string("{\"point_time\":\"") + format_utc(t0 + i * 5min) +
                "\",\"value\":" + std::to_string(i < 12 ? 1000 : 500) + "}";
      return Reply::json("{\"data\":[" + data +
                         "],\"meta\":{\"region\":\"CAISO_NORTH\",\"signal_type\":\"co2_moer\",\"units\":"
                         "\"lbs_co2_per_mwh\",\"data_point_period_seconds\":300,\"generated_at\":\"" +
                         format_utc(t0) + "\"}}");
    }
    return Reply::json("{}", 404);
  });
  ProviderSettings settings;
  settings.watttime_base_url = server.base_url();
  settings.watttime_username = Secret("u");
  settings.watttime_password = Secret("p");
  CurlHttpClient http;
  FakeClock clock(t0);
  LiveForecastFeed feed(*parse_forecast_spec("watttime:38.58,-121.49", "US-CAL-CISO"), settings, http, clock,
                        store());
  auto got = feed.obtain(t0, t0 + 12h);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->series.zone(), "CAISO_NORTH");
  EXPECT_EQ(got->series.signal(), Signal::kMarginal);
  EXPECT_NEAR(at(got->series, t0 + 30min), 1000 * 0.45359237, 1e-6);  // lbs/MWh to g/kWh
  EXPECT_NE(got->label.find("watttime forecast (CAISO_NORTH, marginal)"), std::string::npos) << got->label;
  bool asked = false;
  for (const auto& r : server.requests())
    asked = asked || (r.path == "/v3/region-from-loc" && r.param("latitude").value_or("").starts_with("38.58"));
  EXPECT_TRUE(asked);
}

TEST_F(LiveForecastFeedTest, OfflineWithNothingStoredUsesTheTypicalProfileElseFails) {
  ProviderSettings settings;
  settings.uk_base_url = "http://127.0.0.1:1";
  CurlHttpClient http;
  FakeClock clock(t0);
  RetryPolicy fast;
  fast.max_attempts = 1;
  LiveForecastFeed feed(*parse_forecast_spec("uk", "GB"), settings, http, clock, store(), fast);
  auto got = feed.obtain(t0, t0 + 12h);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->choice, FallbackChoice::kTypical);
  EXPECT_EQ(got->series.origin(), Origin::kTypical);
  EXPECT_NE(got->label.find("typical profile, not a forecast"), std::string::npos);
  ASSERT_FALSE(got->warnings.empty());

  LiveForecastFeed nowhere(*parse_forecast_spec("uk", "NO-SUCH-ZONE"), settings, http, clock, store(), fast);
  EXPECT_FALSE(nowhere.obtain(t0, t0 + 12h));
}

}  // namespace
}  // namespace greenrun::intensity
