package livedeck

import _ "embed" // the OpenAPI description ships inside the binary

// OpenAPI is docs/openapi.yaml, the OpenAPI 3.1 description of every HTTP
// route, served at GET /api/openapi.yaml.
//
//go:embed docs/openapi.yaml
var OpenAPI []byte
