using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Persistence.Tests.Hosting;

/// <summary>A grain with Orleans's <see cref="IPersistentState{T}"/> on the default storage provider.</summary>
public interface INoteGrain : IGrainWithStringKey
{
    Task WriteAsync(string text);

    Task<NoteSnapshot> ReadAsync();

    Task ClearAsync();
}

[GenerateSerializer]
[Alias("OrleansCompute.Persistence.Tests.NoteState")]
public sealed class NoteState
{
    [Id(0)]
    public string Text { get; set; } = "";

    [Id(1)]
    public int Writes { get; set; }
}

[GenerateSerializer]
[Alias("OrleansCompute.Persistence.Tests.NoteSnapshot")]
public sealed record NoteSnapshot([property: Id(0)] string Text, [property: Id(1)] int Writes, [property: Id(2)] bool RecordExists, [property: Id(3)] string? ETag);

public sealed class NoteGrain([PersistentState("note")] IPersistentState<NoteState> note) : Grain, INoteGrain
{
    public async Task WriteAsync(string text)
    {
        note.State.Text = text;
        note.State.Writes++;
        await note.WriteStateAsync();
    }

    public Task<NoteSnapshot> ReadAsync() => Task.FromResult(new NoteSnapshot(note.State.Text, note.State.Writes, note.RecordExists, note.Etag));

    public Task ClearAsync() => note.ClearStateAsync();
}
