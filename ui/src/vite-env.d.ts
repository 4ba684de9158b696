// Vite's own module types (e.g. `?raw` imports in tests).
/// <reference types="vite/client" />
