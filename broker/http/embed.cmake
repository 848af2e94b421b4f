# Turns broker/http/dashboard.html into a C++ raw string literal (included by admin_api.cc), so
# sluiced serves the dashboard without any file beside it. cmake -DIN=<html> -DOUT=<inc> -P this.
file(READ "${IN}" content)
string(FIND "${content}" ")SLUICE_HTML\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )SLUICE_HTML\"")
endif()
file(WRITE "${OUT}.tmp" "R\"SLUICE_HTML(${content})SLUICE_HTML\"\n")
file(RENAME "${OUT}.tmp" "${OUT}")
