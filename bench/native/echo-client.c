/*
 * The load generator of the io bench suite (bench/src/io): the classic echo
 * benchmark's client on epoll. It opens CONNECTIONS TCP connections to
 * HOST:PORT, and each one ping-pongs SIZE-byte messages: send one, wait for
 * the whole echo (checking every byte), send the next. It runs WARMUP seconds
 * unmeasured, then DURATION seconds measured, and prints one JSON line:
 *
 *   {"connections", "messages", "seconds", "messagesPerSecond",
 *    "medianLatencyUs", "p99LatencyUs", "clientCpu"}
 *
 * messages counts the echoes completed inside the measured window; a
 * latency is from a message's send() to the last byte of its echo, for the
 * messages sent inside the window. clientCpu is this process's user+system
 * CPU time over the wall time of the measured window (near 1.0 means the
 * client, not the server, may have set the pace).
 *
 * Usage: echo-client HOST PORT CONNECTIONS SIZE WARMUP DURATION
 * Exit status: 0 on success, 1 on a failed connection, a short or wrong echo,
 * or a server that closed; the reason goes to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct connection {
  int fd;
  unsigned char *message; /* what was sent, to check the echo against */
  unsigned char *echo;    /* what came back so far */
  size_t sent;            /* bytes of the current message sent */
  size_t received;        /* bytes of its echo received */
  uint64_t sequence;      /* stamped into each message so a stale echo shows */
  uint64_t sentAt;        /* ns, when the current message's send() began */
  int wantsWrite;         /* EPOLLOUT registered: the last send() was short */
};

static uint64_t nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpuSeconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

static void fail(const char *what, int error) {
  fprintf(stderr, "echo-client: %s%s%s\n", what, error ? ": " : "", error ? strerror(error) : "");
  exit(1);
}

/* Latencies in ns, grown as needed. */
static uint32_t *latencies;
static size_t latencyCount, latencyCapacity;

static void recordLatency(uint64_t ns) {
  if (latencyCount == latencyCapacity) {
    latencyCapacity = latencyCapacity ? latencyCapacity * 2 : 1 << 16;
    latencies = realloc(latencies, latencyCapacity * sizeof *latencies);
    if (!latencies) fail("out of memory for latencies", 0);
  }
  latencies[latencyCount++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int compareLatency(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void setWriteInterest(int epoll, struct connection *c, int wantsWrite) {
  if (c->wantsWrite == wantsWrite) return;
  struct epoll_event event = {.events = EPOLLIN | (wantsWrite ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event) < 0) fail("epoll_ctl", errno);
  c->wantsWrite = wantsWrite;
}

/* Sends what is left of the current message; registers EPOLLOUT if the socket is full. */
static void sendRest(int epoll, struct connection *c, size_t size) {
  while (c->sent < size) {
    ssize_t n = send(c->fd, c->message + c->sent, size - c->sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      fail("send", errno);
    }
    c->sent += (size_t)n;
  }
  setWriteInterest(epoll, c, c->sent < size);
}

static void startMessage(int epoll, struct connection *c, size_t size) {
  c->sequence++;
  memcpy(c->message, &c->sequence, sizeof c->sequence);
  c->sent = 0;
  c->received = 0;
  c->sentAt = nowNs();
  sendRest(epoll, c, size);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: echo-client HOST PORT CONNECTIONS SIZE WARMUP DURATION\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  int count = atoi(argv[3]);
  size_t size = (size_t)atol(argv[4]);
  double warmup = atof(argv[5]), duration = atof(argv[6]);
  if (port <= 0 || count <= 0 || size < sizeof(uint64_t) || duration <= 0 || warmup < 0) {
    fprintf(stderr, "echo-client: bad arguments\n");
    return 2;
  }

  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) fail("HOST must be a numeric IPv4 address", 0);

  int epoll = epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) fail("epoll_create1", errno);
  struct connection *connections = calloc((size_t)count, sizeof *connections);
  if (!connections) fail("out of memory", 0);
  for (int i = 0; i < count; i++) {
    struct connection *c = &connections[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) fail("socket", errno);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0) fail("connect", errno);
    if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) fail("fcntl", errno);
    c->message = malloc(size);
    c->echo = malloc(size);
    if (!c->message || !c->echo) fail("out of memory", 0);
    for (size_t j = 0; j < size; j++) c->message[j] = (unsigned char)('a' + (i + j) % 26);
    c->sequence = (uint64_t)i << 40;
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event) < 0) fail("epoll_ctl", errno);
  }

  uint64_t start = nowNs();
  uint64_t measureFrom = start + (uint64_t)(warmup * 1e9);
  uint64_t end = measureFrom + (uint64_t)(duration * 1e9);
  double cpuAtMeasure = -1;
  uint64_t messages = 0;
  for (int i = 0; i < count; i++) startMessage(epoll, &connections[i], size);

  struct epoll_event events[256];
  int finished = 0;
  while (!finished) {
    uint64_t now = nowNs();
    if (cpuAtMeasure < 0 && now >= measureFrom) cpuAtMeasure = cpuSeconds();
    if (now >= end) break;
    int timeoutMs = (int)((end - now) / 1000000u) + 1;
    int ready = epoll_wait(epoll, events, 256, timeoutMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait", errno);
    }
    for (int k = 0; k < ready; k++) {
      struct connection *c = events[k].data.ptr;
      if (events[k].events & EPOLLOUT) sendRest(epoll, c, size);
      if (!(events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t n;
      do n = recv(c->fd, c->echo + c->received, size - c->received, 0);
      while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
        fail("recv", errno);
      }
      if (n == 0) fail("the server closed a connection", 0);
      c->received += (size_t)n;
      if (c->received < size) continue;
      if (c->sent < size || memcmp(c->echo, c->message, size) != 0) fail("the echo differs from the message sent", 0);
      uint64_t done = nowNs();
      if (done >= end) {
        finished = 1;
        break;
      }
      if (done >= measureFrom) messages++;
      if (c->sentAt >= measureFrom) recordLatency(done - c->sentAt);
      startMessage(epoll, c, size);
    }
  }
  double cpu = cpuSeconds() - (cpuAtMeasure < 0 ? 0 : cpuAtMeasure);

  double median = 0, p99 = 0;
  if (latencyCount > 0) {
    qsort(latencies, latencyCount, sizeof *latencies, compareLatency);
    median = latencies[latencyCount / 2] / 1e3;
    p99 = latencies[(size_t)((double)(latencyCount - 1) * 0.99)] / 1e3;
  }
  for (int i = 0; i < count; i++) close(connections[i].fd);
  printf("{\"connections\":%d,\"messages\":%llu,\"seconds\":%.6f,\"messagesPerSecond\":%.1f,"
         "\"medianLatencyUs\":%.1f,\"p99LatencyUs\":%.1f,\"clientCpu\":%.3f}\n",
         count, (unsigned long long)messages, duration, messages / duration, median, p99, cpu / duration);
  return 0;
}
