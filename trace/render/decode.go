package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cgotrace/cgotrace/trace"
)

// maxReportBytes bounds what Decode reads: far above any real report
// (the raw log is not in it), low enough that a wrong file named by
// mistake (a disk image) fails fast instead of filling memory.
const maxReportBytes = 1 << 30

// Decode reads a report-v1 document (report.json, `--format json`). It
// checks schema_version before anything else, so a report of another
// version is named as such rather than half read. Fields it does not
// know are ignored (a minor version may add some). Errors say what is
// wrong and where: a syntax error's line and column, the field of a type
// error.
func Decode(rd io.Reader) (*trace.Report, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxReportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReportBytes {
		return nil, fmt.Errorf("larger than %s: not a cgotrace report", byteSize(maxReportBytes))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty, not a cgotrace report")
	}
	var head struct {
		SchemaVersion *json.RawMessage `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return nil, fmt.Errorf("not a cgotrace report: the document is a JSON %s, not an object", te.Value)
		}
		return nil, jsonError(data, err)
	}
	if head.SchemaVersion == nil {
		return nil, errors.New("not a cgotrace report: no schema_version")
	}
	var v int
	if err := json.Unmarshal(*head.SchemaVersion, &v); err != nil {
		return nil, fmt.Errorf("unsupported schema_version %s: this cgotrace reads version %d", *head.SchemaVersion, trace.SchemaVersion)
	}
	if v != trace.SchemaVersion {
		return nil, fmt.Errorf("unsupported schema_version %d: this cgotrace reads version %d", v, trace.SchemaVersion)
	}
	var r trace.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, jsonError(data, err)
	}
	return &r, nil
}

// jsonError turns encoding/json's errors into one line with a position.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))):
		return fmt.Errorf("malformed report: truncated after %d bytes", len(data))
	case errors.As(err, &se):
		line, col := position(data, se.Offset)
		return fmt.Errorf("malformed report: %v (line %d, column %d)", se, line, col)
	case errors.As(err, &te):
		line, col := position(data, te.Offset)
		return fmt.Errorf("malformed report: %s is a JSON %s, want %s (line %d, column %d)", te.Field, te.Value, te.Type, line, col)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed report: truncated")
	}
	return fmt.Errorf("malformed report: %w", err)
}

// position converts a byte offset to a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, max(col, 1)
}
