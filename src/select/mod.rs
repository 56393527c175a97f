//! Selection: dbt selector strings (`tag:x+`, `@m`, `path:...`) + the graph -> a set of nodes.
