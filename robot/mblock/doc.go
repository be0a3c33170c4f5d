// Package mblock speaks the Makeblock serial protocol of the classic mBot
// (mCore board, stock firmware "06.01.107"): it encodes host→robot frames and
// parses the robot's replies from a byte stream.
//
// A host→robot frame is
//
//	ff 55 LEN IDX ACTION DEVICE DATA…
//
// where LEN counts every byte after itself (IDX to the last data byte), with no
// checksum and no terminator. The firmware drops frames longer than 51 bytes
// (LEN > 48). Integers are int16 little-endian; floats are float32
// little-endian. Motor speeds are raw PWM values, clamped to −255…+255.
//
// The robot answers a RUN, RESET or START frame with the ack ff 55 0d 0a (no
// index), a GET with ff 55 IDX TYPE payload… 0d 0a, and on its own with the
// boot banner "Version: 06.01.107\r\n" and button events ff 55 80 01 SS 0d 0a.
// Parser turns such a stream into Replies whatever way the reads split it.
//
// RequestDecoder is the robot's side: it decodes host frames byte by byte
// exactly as the firmware's main loop does (the virtual mBot uses it).
package mblock
