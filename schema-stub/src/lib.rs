//! A derive that writes nothing, for the browser's build of the server functions' argument
//! structs.
//!
//! Leptos's `#[server]` macro takes one list of derives for the struct a server function's
//! arguments travel in (`input_derive`), the same in both builds. On the server that list
//! derives utoipa's `ToSchema`, from which `/api/openapi.json` is made (docs/API.md); the
//! browser has no use for a schema and does not link utoipa, so there the same name is this.

use proc_macro::TokenStream;

#[proc_macro_derive(ArgsSchema)]
pub fn args_schema(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}
