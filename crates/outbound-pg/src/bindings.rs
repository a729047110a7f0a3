//! Rust bindings of `spin:postgres/postgres@4.0.0`, generated from the repository's WIT.

wasmtime::component::bindgen!({
    path: "../../wit/deps/spin-postgres@4.0.0",
    inline: "
        package todo:outbound-pg;
        world pg { import spin:postgres/postgres@4.0.0; }
    ",
    // Connections are checked out of a pool and queried with async I/O.
    imports: { default: async },
    // Lets tests compare whole rows and errors.
    additional_derives: [PartialEq],
});
