#pragma once
// Processes and ports for the local cluster: spawn detached children with their output in a log
// file, identify a PID by its command line (a recycled PID is never signalled), stop by PID
// with SIGTERM then SIGKILL, ask the OS for free loopback ports, ZooKeeper four-letter words.
// Thread: any.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::client {

// fork + setsid + exec; stdin /dev/null, stdout and stderr appended to `log_path`.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path);

// True if `pid` runs (not a zombie) and its command line contains `marker` (e.g. its config
// path). An empty marker matches any live process.
bool ProcessAlive(pid_t pid, const std::string& marker);

enum class StopHow { kNotRunning, kTerminated, kKilled, kFailed };
const char* StopHowName(StopHow how);
// SIGTERM (or SIGKILL at once if `kill9`), wait up to `grace`, then SIGKILL and wait 5 s more.
StopHow StopProcess(pid_t pid, const std::string& marker, std::chrono::milliseconds grace,
                    bool kill9 = false);

// `count` distinct free loopback ports (all bound at once, then released).
Result<std::vector<int>> FreePorts(int count);
// True if nothing listens on / holds 127.0.0.1:port (a bind with SO_REUSEADDR succeeds).
bool PortFree(int port);
// True if 127.0.0.1:port accepts a connection within `timeout`.
bool PortAccepts(int port, std::chrono::milliseconds timeout);

// Sends a ZooKeeper four-letter word ("srvr") and returns the answer ("" if none).
std::string FourLetterWord(int port, const std::string& word,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));
// "leader", "follower", "standalone", or "" from a `srvr` answer.
std::string ParseZkMode(const std::string& srvr_answer);

// The last line of `path` that looks like an error (ERROR/FATAL/Exception/E-prefixed glog),
// else its last non-empty line; "" if unreadable. Capped to 300 characters.
std::string LastErrorLine(const std::string& path);

Result<pid_t> ReadPidFile(const std::string& path);
Status WritePidFile(const std::string& path, pid_t pid);

}  // namespace sluice::client
