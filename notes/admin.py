from django.contrib import admin

from notes.models import NoteTemplate

# Case notes and actions are deliberately not in the admin: admins configure,
# they do not read or change case records.


@admin.register(NoteTemplate)
class NoteTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "case_type"]
    list_filter = ["case_type"]
