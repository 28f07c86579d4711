package inbox

import (
	"sync"

	"github.com/warmline/warmline/locales"
)

// sharedTranslator is the embedded locales parsed once per test binary:
// a Translator is read-only once built (the server shares one across all
// its requests too), and parsing the TOML files again for each test env
// cost the package's tests seconds of CPU under -race.
var sharedTranslator = sync.OnceValues(locales.New)
