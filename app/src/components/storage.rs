//! The browser's localStorage and sessionStorage. On the server (and where storage is refused)
//! reads find nothing and writes are dropped.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// Kept across tabs and restarts.
    Local,
    /// Kept for this tab.
    Session,
}

impl Store {
    #[cfg(feature = "hydrate")]
    fn open(self) -> Option<leptos::web_sys::Storage> {
        let window = leptos::prelude::window();
        let storage = match self {
            Store::Local => window.local_storage(),
            Store::Session => window.session_storage(),
        };
        storage.ok().flatten()
    }

    pub fn get(self, key: &str) -> Option<String> {
        #[cfg(feature = "hydrate")]
        return self.open()?.get_item(key).ok().flatten();
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (self, key);
            None
        }
    }

    pub fn set(self, key: &str, value: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = self.open() {
            let _ = storage.set_item(key, value);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, key, value);
    }
}
