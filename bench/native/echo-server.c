/*
 * The floor of the io bench suite (bench/src/io): the least an echo server
 * can do per message, in C on epoll, so that the tables show what any
 * server reaches against the load generator on this box. It listens on
 * 127.0.0.1 on an ephemeral port, prints {"port": N} on one line, then, for
 * every readable connection, reads up to 64 KiB and writes it all back: one
 * epoll_wait, one read and one write per message, as every other server of
 * the suite makes at best. No event loop, no callbacks, no buffers beyond
 * one static array; a short write waits for EPOLLOUT (1 KiB echoes never
 * make one on loopback).
 *
 * Usage: echo-server   (runs until killed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_SIZE 65536
#define MAX_EVENTS 64

static unsigned char buffer[READ_SIZE];

static void fail(const char *what) {
  fprintf(stderr, "echo-server: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int listenLoopback(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) fail("bind");
  if (listen(fd, 128) < 0) fail("listen");
  return fd;
}

static int portOf(int fd) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) fail("getsockname");
  return ntohs(address.sin_port);
}

static void acceptAll(int epoll, int listener) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return;
      fail("accept4");
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event event = {.events = EPOLLIN, .data = {.fd = fd}};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0) fail("epoll_ctl");
  }
}

/* Writes all of buffer[0, length): a short write (rare) waits in poll for room. */
static int writeAll(int fd, size_t length) {
  size_t written = 0;
  while (written < length) {
    ssize_t n = write(fd, buffer + written, length - written);
    if (n > 0) {
      written += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int epoll = epoll_create1(EPOLL_CLOEXEC);
      struct epoll_event event = {.events = EPOLLOUT, .data = {.fd = fd}};
      epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
      epoll_wait(epoll, &event, 1, -1);
      close(epoll);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return -1;
    }
  }
  return 0;
}

static void echo(int epoll, int fd) {
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) {
    if (writeAll(fd, (size_t)n) == 0) return;
  } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return;
  }
  epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

int main(void) {
  int listener = listenLoopback();
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) fail("epoll_create1");
  struct epoll_event event = {.events = EPOLLIN, .data = {.fd = listener}};
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) < 0) fail("epoll_ctl");
  printf("{\"port\": %d}\n", portOf(listener));
  fflush(stdout);
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int ready = epoll_wait(epoll, events, MAX_EVENTS, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait");
    }
    for (int index = 0; index < ready; index++) {
      int fd = events[index].data.fd;
      if (fd == listener) acceptAll(epoll, listener);
      else echo(epoll, fd);
    }
  }
}
