# One INTERFACE target carries the warning set; every greenrun target links it.
add_library(greenrun_warnings INTERFACE)
target_compile_options(greenrun_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
if(GREENRUN_WERROR)
  target_compile_options(greenrun_warnings INTERFACE -Werror)
endif()
