package pyrt

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// The pipe protocol between a pool and its worker processes. Every frame
// is a type byte followed by little-endian fields; byte strings are a
// uint32 length and the bytes.
//
//	pool -> worker   'I' init{code, function}         once, first
//	worker -> pool   'R' ready{error or empty}        once, answer to init
//	pool -> worker   'E' flags, seq, meta JSON, body   one per event, streamed
//	worker -> pool   'O' seq, duration, outputs, routes, error JSON, logs
const (
	frameInit   = 'I'
	frameReady  = 'R'
	frameEvent  = 'E'
	frameResult = 'O'
)

// eventFlush, an event flag, asks the worker to flush the result at once.
const eventFlush = 1

// maxFrameBytes bounds one byte string on the pipe.
const maxFrameBytes = 256 << 20

type initMsg struct {
	Code     string `json:"code"`
	Function string `json:"function"`
}

type frameWriter struct {
	w       *bufio.Writer
	scratch [8]byte
}

func (f *frameWriter) byte1(b byte) error { return f.w.WriteByte(b) }

func (f *frameWriter) u32(n uint32) error {
	binary.LittleEndian.PutUint32(f.scratch[:4], n)
	_, err := f.w.Write(f.scratch[:4])
	return err
}

func (f *frameWriter) u64(n uint64) error {
	binary.LittleEndian.PutUint64(f.scratch[:8], n)
	_, err := f.w.Write(f.scratch[:8])
	return err
}

func (f *frameWriter) bytes(b []byte) error {
	if err := f.u32(uint32(len(b))); err != nil {
		return err
	}
	_, err := f.w.Write(b)
	return err
}

type frameReader struct {
	r       *bufio.Reader
	scratch [8]byte
}

func (f *frameReader) byte1() (byte, error) { return f.r.ReadByte() }

func (f *frameReader) u32() (uint32, error) {
	if _, err := io.ReadFull(f.r, f.scratch[:4]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(f.scratch[:4]), nil
}

func (f *frameReader) u64() (uint64, error) {
	if _, err := io.ReadFull(f.r, f.scratch[:8]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(f.scratch[:8]), nil
}

func (f *frameReader) bytes() ([]byte, error) {
	n, err := f.u32()
	if err != nil {
		return nil, err
	}
	if n > maxFrameBytes {
		return nil, fmt.Errorf("frame of %d bytes is too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f.r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// writeResult encodes one outcome.
func (f *frameWriter) writeResult(seq uint32, out Outcome, d time.Duration) error {
	if err := f.byte1(frameResult); err != nil {
		return err
	}
	if err := f.u32(seq); err != nil {
		return err
	}
	if err := f.u64(uint64(d)); err != nil {
		return err
	}
	if err := f.u32(uint32(len(out.Outputs))); err != nil {
		return err
	}
	for _, o := range out.Outputs {
		if err := f.bytes(o); err != nil {
			return err
		}
	}
	if err := f.u32(uint32(len(out.Routes))); err != nil {
		return err
	}
	for _, r := range out.Routes {
		if err := f.bytes([]byte(r)); err != nil {
			return err
		}
	}
	var eb []byte
	if out.Err != nil {
		eb, _ = json.Marshal(out.Err)
	}
	if err := f.bytes(eb); err != nil {
		return err
	}
	if err := f.u32(uint32(len(out.Logs))); err != nil {
		return err
	}
	for _, l := range out.Logs {
		if err := f.bytes([]byte(l)); err != nil {
			return err
		}
	}
	return nil
}

// readResult decodes one outcome after its type byte.
func (f *frameReader) readResult() (uint32, Outcome, time.Duration, error) {
	var out Outcome
	seq, err := f.u32()
	if err != nil {
		return 0, out, 0, err
	}
	d, err := f.u64()
	if err != nil {
		return 0, out, 0, err
	}
	n, err := f.u32()
	if err != nil {
		return 0, out, 0, err
	}
	if n > 0 {
		out.Outputs = make([]json.RawMessage, n)
		for i := range out.Outputs {
			if out.Outputs[i], err = f.bytes(); err != nil {
				return 0, out, 0, err
			}
		}
	}
	nr, err := f.u32()
	if err != nil {
		return 0, out, 0, err
	}
	if nr > 0 {
		out.Routes = make([]string, nr)
		for i := range out.Routes {
			b, err := f.bytes()
			if err != nil {
				return 0, out, 0, err
			}
			out.Routes[i] = string(b)
		}
	}
	eb, err := f.bytes()
	if err != nil {
		return 0, out, 0, err
	}
	if len(eb) > 0 {
		out.Err = &Error{}
		if err := json.Unmarshal(eb, out.Err); err != nil {
			return 0, out, 0, fmt.Errorf("decode error of event %d: %w", seq, err)
		}
	}
	nl, err := f.u32()
	if err != nil {
		return 0, out, 0, err
	}
	for i := uint32(0); i < nl; i++ {
		b, err := f.bytes()
		if err != nil {
			return 0, out, 0, err
		}
		out.Logs = append(out.Logs, string(b))
	}
	return seq, out, time.Duration(d), nil
}

var errProtocol = errors.New("python worker protocol error")
