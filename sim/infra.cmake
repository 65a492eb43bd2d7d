# sim/infra.cmake: bf_siminfra, the CLI's infrastructure library: command-line options and INI
# config files over Boost.Program_Options (bf_opts.cpp, the only C++ here) and the SQLite results
# store (bf_results*.c) and its regressions and merging (bf_regdb.c). Included by sim/CMakeLists.txt (and by
# tests/siminfra when sim/ is not part of the build); defined once.
include_guard(GLOBAL)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(SQLite3 QUIET)

add_library(bf_siminfra STATIC ${CMAKE_CURRENT_LIST_DIR}/bf_opts.cpp
                               ${CMAKE_CURRENT_LIST_DIR}/bf_results.c
                               ${CMAKE_CURRENT_LIST_DIR}/bf_results_record.c
                               ${CMAKE_CURRENT_LIST_DIR}/bf_results_export.c
                               ${CMAKE_CURRENT_LIST_DIR}/bf_regdb.c)
target_include_directories(bf_siminfra PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bf_siminfra PUBLIC bf_common PRIVATE Boost::program_options)
# BF_SQLITE3_TARGET is also used by tests that inspect a database with plain SQLite.
if(SQLite3_FOUND)
  set(BF_SQLITE3_TARGET SQLite::SQLite3)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(BF_SQLITE3 REQUIRED IMPORTED_TARGET GLOBAL sqlite3)
  set(BF_SQLITE3_TARGET PkgConfig::BF_SQLITE3)
endif()
target_link_libraries(bf_siminfra PRIVATE ${BF_SQLITE3_TARGET})
