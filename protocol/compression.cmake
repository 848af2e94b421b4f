# Record batch compression codecs (protocol/compression.cc). Kafka batches may be compressed with
# gzip, snappy, lz4 or zstd (README §2); a broker must decompress them to validate produce
# requests, and the group coordinator / tools may write them. All four ship as Debian packages
# with pkg-config files (scripts/install-deps.sh).
#   zlib    gzip (RFC 1952), Debian zlib1g-dev
#   snappy  raw snappy blocks (snappy-java framing is parsed by us), Debian libsnappy-dev
#   liblz4  LZ4 frame format (lz4frame.h), Debian liblz4-dev
#   libzstd zstd frames, streaming decode, Debian libzstd-dev
pkg_check_modules(SLUICE_ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(SLUICE_LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(SLUICE_ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SLUICE_SNAPPY IMPORTED_TARGET snappy)
if(SLUICE_SNAPPY_FOUND)
  set(SLUICE_SNAPPY_LIB PkgConfig::SLUICE_SNAPPY)
else()
  # Older snappy packages ship no .pc file.
  find_library(SLUICE_SNAPPY_LIB NAMES snappy REQUIRED)
endif()
target_link_libraries(sluice_protocol PRIVATE PkgConfig::SLUICE_ZLIB ${SLUICE_SNAPPY_LIB}
                      PkgConfig::SLUICE_LZ4 PkgConfig::SLUICE_ZSTD)
