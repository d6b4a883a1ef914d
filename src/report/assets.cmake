# Embeds Chart.js (Debian's libjs-chart.js, scripts/install-deps.sh) and
# greenrun's chart code (report/charts.js) into greenrun_report at build
# time, so an HTML report works offline and from disk: no CDN.
set(GREENRUN_CHARTJS "/usr/share/javascript/chart.js/chart.min.js" CACHE FILEPATH
    "Chart.js 3 (UMD build) embedded in HTML reports")
set(chartjs_input "${GREENRUN_CHARTJS}")
set(chartjs_available 1)
if(NOT EXISTS "${GREENRUN_CHARTJS}")
  message(WARNING "Chart.js not found at ${GREENRUN_CHARTJS} (Debian: libjs-chart.js); "
                  "HTML reports will show tables and say that their charts are unavailable")
  set(chartjs_input "-")
  set(chartjs_available 0)
endif()
set(assets_cc "${CMAKE_CURRENT_BINARY_DIR}/report_assets.cc")
set(charts_js "${CMAKE_CURRENT_SOURCE_DIR}/report/charts.js")
add_custom_command(
  OUTPUT "${assets_cc}"
  COMMAND ${CMAKE_COMMAND} -DOUT=${assets_cc} "-DNAMESPACE=greenrun::report::assets"
          "-DNAMES=kChartJs,kChartsJs" "-DFILES=${chartjs_input},${charts_js}"
          -P "${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake"
  DEPENDS "${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake" "${charts_js}"
          $<$<BOOL:${chartjs_available}>:${GREENRUN_CHARTJS}>
  COMMENT "Embedding Chart.js and report/charts.js"
  VERBATIM)
target_sources(greenrun_report PRIVATE "${assets_cc}")
# A 200 kB string literal is beyond what ISO C++ promises (-Woverlength-strings, from -Wpedantic).
set_source_files_properties("${assets_cc}" PROPERTIES COMPILE_OPTIONS "-Wno-overlength-strings")
target_compile_definitions(greenrun_report PRIVATE GREENRUN_CHARTJS_AVAILABLE=${chartjs_available})
