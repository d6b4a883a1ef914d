# Compiles each public header (include/greenrun/**/*.h: the engine's API and
# the value types the libraries below it make public) alone, with only
# include/ on the include path (plus the compiler's system includes): a front
# end may include any of them and needs nothing under src/. Fails naming
# each header that does not compile alone, with its first error.
#
# Run by ctest (tests/CMakeLists.txt, PublicHeaders.EachCompilesAloneWithOnlyInclude):
#   cmake -DCXX=... -DINCLUDE_DIR=... -DWORK_DIR=... -P this file
cmake_minimum_required(VERSION 3.20)
foreach(var CXX INCLUDE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_self_contained.cmake: -D${var}=... is required")
  endif()
endforeach()

file(GLOB_RECURSE headers RELATIVE ${INCLUDE_DIR}/greenrun ${INCLUDE_DIR}/greenrun/*.h)
list(SORT headers)
file(MAKE_DIRECTORY ${WORK_DIR})
set(failed "")
set(passed 0)
foreach(h IN LISTS headers)
  string(REPLACE "/" "_" tu_name ${h})
  set(tu ${WORK_DIR}/${tu_name}.cc)
  file(WRITE ${tu} "#include \"greenrun/${h}\"\n")
  execute_process(
    COMMAND ${CXX} -std=c++23 -fsyntax-only -I${INCLUDE_DIR} ${tu}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    math(EXPR passed "${passed} + 1")
  else()
    string(REGEX MATCH "[^\n]*error[^\n]*" first_error "${err}")
    list(APPEND failed "${h}: ${first_error}")
  endif()
endforeach()

list(LENGTH headers total)
message(STATUS "public headers self-contained: ${passed} of ${total}")
if(total EQUAL 0)
  message(SEND_ERROR "no public header found under ${INCLUDE_DIR}/greenrun")
endif()
foreach(line IN LISTS failed)
  message(SEND_ERROR "not self-contained with only include/ on the path: greenrun/${line}")
endforeach()
