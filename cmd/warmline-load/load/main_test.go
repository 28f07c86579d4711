package load

import (
	"testing"

	"github.com/warmline/warmline/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }
