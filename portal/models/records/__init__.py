"""What the UI may see (DESIGN §8), one module per domain. Services return these records and states
declare their vars with them; table rows never leave the server. Every field is display-ready (dates
already formatted); none ever carries a secret. Input forms are dataclasses beside the service that
checks them; these are the outputs."""
