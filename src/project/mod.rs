//! Project loading: a project directory -> dbt_project.yml, profile, files and property YAML with spans.
